// Fuzz target: the CLI's outside text. The first byte picks the input; the rest is it:
//   0: `qfs math` expression lines (signed or unsigned by bit 2 of the first byte);
//   1: `qfs mls client` request lines, one JSON object each, to one client;
//   2: the argument parsers `qfs tx` and `qfs ledger` use: identities, amounts, integers.
// Nothing may crash, throw or abort; every MLS request line gets exactly one reply line, a JSON
// object whose "ok" is a boolean, and a failed request changes nothing the next `state` shows.
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>
#include <string_view>

#include "base/strings.h"
#include "cli/math_command.h"
#include "cli/mls_client.h"
#include "codec/json.h"
#include "ledger/types.h"
#include "math/fixed.h"
#include "mls/cipher_suite.h"

namespace {

// Deterministic bytes, so that a crashing input reproduces.
class CountingRandom final : public qfs::crypto::RandomSource {
 public:
  void Fill(std::span<std::uint8_t> out) override {
    for (std::uint8_t& b : out) b = static_cast<std::uint8_t>(++counter_ * 131u);
  }

 private:
  std::uint32_t counter_ = 0;
};

void Check(bool holds) {
  if (!holds) std::abort();
}

void MathLines(std::string_view text, bool is_signed) {
  std::istringstream in{std::string(text)};
  std::ostringstream out;
  (void)qfs::cli::EvaluateMathStream(
      in, out, is_signed ? qfs::cli::NumberType::kSigned : qfs::cli::NumberType::kUnsigned);
}

void MlsLines(std::string_view text) {
  static const qfs::mls::CipherSuite suite = qfs::mls::CipherSuite::Find(1).value();
  CountingRandom random;
  qfs::cli::MlsClient client(suite, "fuzz", random);
  for (int lines = 0; !text.empty() && lines < 16; ++lines) {
    const std::size_t end = text.find('\n');
    const std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    const std::string before = client.Handle(R"({"id":0,"op":"state"})");
    const std::string reply = client.Handle(line);
    Check(reply.find('\n') == std::string::npos);
    qfs::Result<qfs::codec::Json> parsed = qfs::codec::ParseJson(reply);
    Check(parsed.ok() && parsed.value().is_object() && parsed.value().contains("ok") &&
          parsed.value()["ok"].is_boolean());
    if (!parsed.value()["ok"].get<bool>()) {
      Check(client.Handle(R"({"id":0,"op":"state"})") == before);  // refused: nothing changed
    }
  }
}

void Arguments(std::string_view text) {
  (void)qfs::ledger::ParseIdentityId(text);
  (void)qfs::math::UD128x18::Parse(text);
  (void)qfs::math::SD128x18::Parse(text);
  (void)qfs::ParseUint64(text);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (data[0] % 3) {
    case 0:
      MathLines(text, (data[0] & 4) != 0);
      break;
    case 1:
      MlsLines(text);
      break;
    default:
      Arguments(text);
      break;
  }
  return 0;
}
