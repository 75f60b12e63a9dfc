#include "node/ledger_api.h"

#include <chrono>
#include <functional>
#include <limits>
#include <memory>
#include <string>

#include "base/text_encoding.h"
#include "codec/json.h"
#include "ledger/json.h"
#include "node/render_queue.h"

namespace qfs::node {
namespace {

using codec::Json;
using ledger::ResultCode;

net::HttpResponse Ok(const Json& body) {
  Result<std::string> text = codec::CanonicalJson(body);
  if (!text.ok()) return net::ErrorResponse(500, "INTERNAL", text.status().message());
  return net::JsonResponse(200, std::move(text).value());
}

// An error carrying a ledger result code next to the usual code and message.
net::HttpResponse Rejection(int http_status, ResultCode code, const std::string& message) {
  const Json body = {{"error",
                      {{"code", ledger::ResultCodeName(code)},
                       {"message", message},
                       {"result", static_cast<int>(code)}}}};
  Result<std::string> text = codec::CanonicalJson(body);
  if (!text.ok()) {
    return net::ErrorResponse(http_status, std::string(ledger::ResultCodeName(code)), message);
  }
  return net::JsonResponse(http_status, std::move(text).value());
}

// The HTTP status of an admission rejection (no entry was written).
int HttpStatusOf(ResultCode code) {
  switch (code) {
    case ResultCode::kMalformedPacket:
      return 400;
    case ResultCode::kPacketTooLarge:
      return 413;
    case ResultCode::kOperationConflict:
      return 409;
    case ResultCode::kHalted:
      return 503;
    default:
      return 422;
  }
}

std::string Describe(ResultCode code) {
  switch (code) {
    case ResultCode::kHalted:
      return "the ledger is halted (CIR-302): writes are refused until an operator resumes it";
    case ResultCode::kInvalidSequence:
      return "the sequence must be the signer's last sequence + 1";
    case ResultCode::kInvalidTimestamp:
      return "the client time is outside the node's admission window";
    case ResultCode::kInvalidSignature:
      return "the signature does not verify under the signer's key";
    case ResultCode::kOperationConflict:
      return "the operation id was used before with different contents";
    default:
      return "packet rejected: " + std::string(ledger::ResultCodeName(code));
  }
}

// A decimal u64 query or path value; nullopt if malformed.
std::optional<std::uint64_t> ParseIndex(const std::string& text) {
  if (text.empty() || text.size() > 20 || text.find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  std::uint64_t v = 0;
  for (char c : text) {
    const std::uint64_t digit = static_cast<std::uint64_t>(c - '0');
    if (v > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) return std::nullopt;
    v = v * 10 + digit;
  }
  return v;
}

Json HeadJson(const ledger::LedgerHead& head) {
  Json out = {{"size", std::to_string(head.size)},
              {"root", HexEncode(head.root)},
              {"last_entry_hash", HexEncode(head.last_entry_hash)},
              {"halted", head.halted},
              {"checkpoint", nullptr}};
  if (head.halted) out["halt_reason"] = head.halt_reason;
  if (head.checkpoint) out["checkpoint"] = ledger::CheckpointJson(*head.checkpoint);
  return out;
}

constexpr const char* kRendersRefusedHelp =
    "Entry and page reads answered 503: busy (their client had one waiting, or the queue was "
    "full) or expired (waited past the bound)";

class LedgerApi {
 public:
  LedgerApi(ledger::Ledger& ledger, Metrics& metrics, RenderQueue& renders)
      : ledger_(ledger),
        renders_(renders),
        metrics_(metrics),
        commit_latency_(metrics.AddHistogram(
            "qfs_ledger_commit_latency_seconds",
            "From a packet's arrival to its durable commit (logged packets only)")),
        renders_busy_(metrics.AddCounter("qfs_http_renders_refused_total", kRendersRefusedHelp,
                                         {{"reason", "busy"}})),
        renders_expired_(metrics.AddCounter("qfs_http_renders_refused_total", kRendersRefusedHelp,
                                            {{"reason", "expired"}})) {}

  void SubmitPacket(const net::HttpRequest& request, const net::HttpResponder& respond) {
    const auto start = std::chrono::steady_clock::now();
    Result<Json> body = codec::ParseJson(request.body);
    if (!body.ok() || !body.value().is_object() || body.value().size() != 1 ||
        !body.value().contains("packet") || !body.value()["packet"].is_string()) {
      return respond(
          net::ErrorResponse(400, "INVALID_ARGUMENT", "expected {\"packet\":\"<hex>\"}"));
    }
    const std::string& hex = body.value()["packet"].get_ref<const std::string&>();
    if (hex.size() > 2 * ledger::kPacketBytesMax) {
      Count(ResultCode::kPacketTooLarge);
      return respond(Rejection(413, ResultCode::kPacketTooLarge, "packet larger than 64 KiB"));
    }
    Result<Bytes> packet = HexDecode(hex);
    if (!packet.ok()) {
      return respond(net::ErrorResponse(400, "INVALID_ARGUMENT", "packet must be hex"));
    }
    // The answer is made on the sequencer's thread: nothing may escape from it there.
    ledger_.SubmitAsync(
        packet.value(), [this, respond, start](const Result<ledger::SubmitResult>& r) noexcept {
          try {
            respond(Answer(r, start));
          } catch (...) {
            respond(net::ErrorResponse(500, "INTERNAL", "the answer could not be rendered"));
          }
        });
  }

  net::HttpResponse GetAccount(const net::HttpRequest& request) const {
    Result<ledger::IdentityId> id = ledger::ParseIdentityId(request.params.at("id"));
    if (!id.ok()) return net::ErrorResponse(400, "INVALID_ARGUMENT", id.status().message());
    Result<ledger::AccountView> view = ledger_.GetAccount(id.value());
    if (!view.ok()) return net::ErrorResponse(404, "NOT_FOUND", view.status().message());
    return Ok(ledger::AccountJson(view.value()));
  }

  net::HttpResponse GetHead(const net::HttpRequest&) const { return Ok(HeadJson(ledger_.Head())); }

  void GetEntry(const net::HttpRequest& request, const net::HttpResponder& respond) const {
    std::optional<std::uint64_t> index = ParseIndex(request.params.at("n"));
    if (!index) {
      return respond(net::ErrorResponse(400, "INVALID_ARGUMENT", "an entry index is a number"));
    }
    const ledger::LedgerHead head = ledger_.Head();
    if (*index >= head.size) {
      return respond(net::ErrorResponse(404, "NOT_FOUND",
                                        "no entry " + std::to_string(*index) + " (the ledger has " +
                                            std::to_string(head.size) + ")"));
    }
    Rendering(request, respond, [this, index = *index, head] {
      Result<ledger::LogEntry> entry = ledger_.GetEntry(index);
      Result<std::vector<crypto::Digest32>> proof = ledger_.InclusionProof(index, head.size);
      if (!entry.ok() || !proof.ok()) {
        const Status& s = entry.ok() ? proof.status() : entry.status();
        return net::ErrorResponse(500, std::string(StatusCodeName(s.code())), s.message());
      }
      return Ok({{"entry", ledger::EntryJson(entry.value())},
                 {"proof",
                  {{"tree_size", std::to_string(head.size)},
                   {"root", HexEncode(head.root)},
                   {"inclusion", ledger::DigestsJson(proof.value())}}}});
    });
  }

  // Entries render into JSON at up to ~40 MB/s of a server thread (an entry of 60 KB: ~4 ms; a
  // page of 4 MB: ~100 ms): one at a time, on the render queue's thread, fairly between clients
  // (RenderQueue), so that the HTTP threads stay free for everything else. (Each client's rate
  // is also charged by the bytes it is sent.)
  void Rendering(const net::HttpRequest& request, const net::HttpResponder& respond,
                 std::function<net::HttpResponse()> render) const {
    auto job = [this, respond, render = std::move(render)](bool run) {
      if (!run) {
        renders_expired_.Increment();
        return respond(Busy());
      }
      try {
        respond(render());
      } catch (const std::exception&) {
        respond(net::ErrorResponse(500, "INTERNAL", "the entries could not be rendered"));
      }
    };
    if (!renders_.Submit(request.remote_address, job)) {
      renders_busy_.Increment();
      respond(Busy());
    }
  }

  static net::HttpResponse Busy() {
    net::HttpResponse busy = net::ErrorResponse(
        503, "UNAVAILABLE", "the node is rendering as many entries as it may; retry");
    busy.headers.emplace_back("Retry-After", "1");
    return busy;
  }

  void ListEntries(const net::HttpRequest& request, const net::HttpResponder& respond) const {
    const std::optional<std::string> from_text = net::QueryParam(request.query, "from");
    const std::optional<std::string> limit_text = net::QueryParam(request.query, "limit");
    const std::optional<std::uint64_t> from = from_text ? ParseIndex(*from_text) : 0;
    const std::optional<std::uint64_t> limit =
        limit_text ? ParseIndex(*limit_text) : kEntriesPageDefault;
    if (!from || !limit || *limit == 0 || *limit > kEntriesPageMax) {
      return respond(net::ErrorResponse(
          400, "INVALID_ARGUMENT",
          "from is an entry index, limit 1.." + std::to_string(kEntriesPageMax)));
    }
    Rendering(request, respond,
              [this, from = *from, limit = *limit] { return RenderEntries(from, limit); });
  }

 private:
  net::HttpResponse RenderEntries(std::uint64_t from, std::uint64_t limit) const {
    // The page is rendered as it grows, so that its bound is on the bytes actually sent: entries
    // are added while the page stays within kEntriesPageBytesMax, and one entry at least.
    const std::uint64_t size = ledger_.Head().size;
    std::string page = "{\"entries\":[";
    std::uint64_t next = from;
    for (; next < size && next - from < limit; ++next) {
      Result<ledger::LogEntry> entry = ledger_.GetEntry(next);
      if (!entry.ok()) {
        return net::ErrorResponse(500, std::string(StatusCodeName(entry.code())),
                                  entry.status().message());
      }
      Result<std::string> rendered = codec::CanonicalJson(ledger::EntryJson(entry.value()));
      if (!rendered.ok()) {
        return net::ErrorResponse(500, "INTERNAL",
                                  "entry " + std::to_string(next) +
                                      " cannot be rendered: " + rendered.status().message());
      }
      if (next != from && page.size() + 1 + rendered.value().size() + 64 > kEntriesPageBytesMax) {
        break;
      }
      if (next != from) page += ',';
      page += rendered.value();
    }
    page += "],\"next\":";
    page += next < size ? "\"" + std::to_string(next) + "\"" : "null";
    page += '}';
    return net::JsonResponse(200, std::move(page));
  }

  net::HttpResponse Answer(const Result<ledger::SubmitResult>& r,
                           std::chrono::steady_clock::time_point start) {
    if (!r.ok()) {  // the queue is full, the node is stopping, or the disk did not confirm
      const bool retry =
          r.code() == StatusCode::kUnavailable || r.code() == StatusCode::kOutcomeUnknown;
      net::HttpResponse response = net::ErrorResponse(
          retry ? 503 : 500, std::string(StatusCodeName(r.code())), r.status().message());
      if (retry) response.headers.emplace_back("Retry-After", "1");
      return response;
    }
    const ledger::SubmitResult& s = r.value();
    if (!s.logged) {
      Count(s.result);
      const auto code = static_cast<int>(s.result);
      if (code >= 100 && code < 300) {  // a business rejection past the refusal budget
        return Rejection(422, s.result,
                         Describe(s.result) +
                             " (not logged: the signer's refusal budget is spent; nothing "
                             "changed, the signer's sequence neither)");
      }
      return Rejection(HttpStatusOf(s.result), s.result, Describe(s.result));
    }
    if (!s.duplicate) {
      commit_latency_.Observe(
          static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                         std::chrono::steady_clock::now() - start)
                                         .count()));
      if (s.result != ResultCode::kOk) Count(s.result);
    }
    return Ok({{"index", std::to_string(s.index)},
               {"result", static_cast<int>(s.result)},
               {"result_name", ledger::ResultCodeName(s.result)},
               {"duplicate", s.duplicate}});
  }

  void Count(ResultCode code) {
    metrics_
        .AddCounter("qfs_ledger_rejections_total", "Rejected packets by result code",
                    {{"code", std::string(ledger::ResultCodeName(code))}})
        .Increment();
  }

  ledger::Ledger& ledger_;
  RenderQueue& renders_;  // entries and pages (Rendering)
  Metrics& metrics_;
  Histogram& commit_latency_;
  Counter& renders_busy_;     // qfs_http_renders_refused_total{reason="busy"}
  Counter& renders_expired_;  // {reason="expired"}
};

}  // namespace

void AddLedgerRoutes(net::Router& router, ledger::Ledger& ledger, Metrics& metrics,
                     RenderQueue& renders) {
  auto api = std::make_shared<LedgerApi>(ledger, metrics, renders);
  router.AddAsync(
      "POST", "/v1/packets",
      [api](const net::HttpRequest& r, const net::HttpResponder& respond) {
        api->SubmitPacket(r, respond);
      },
      kPacketRequestBytesMax);
  router.Add("GET", "/v1/accounts/{id}",
             [api](const net::HttpRequest& r) { return api->GetAccount(r); });
  router.Add("GET", "/v1/ledger/head",
             [api](const net::HttpRequest& r) { return api->GetHead(r); });
  router.AddAsync("GET", "/v1/ledger/entries/{n}",
                  [api](const net::HttpRequest& r, const net::HttpResponder& respond) {
                    api->GetEntry(r, respond);
                  });
  router.AddAsync("GET", "/v1/ledger/entries",
                  [api](const net::HttpRequest& r, const net::HttpResponder& respond) {
                    api->ListEntries(r, respond);
                  });
}

void UpdateLedgerGauges(const ledger::Ledger& ledger, Metrics& metrics) {
  const ledger::LedgerHead head = ledger.Head();
  metrics.AddGauge("qfs_ledger_entries", "Entries in the log")
      .Set(static_cast<std::int64_t>(head.size));
  metrics.AddGauge("qfs_ledger_halted", "1 while the ledger is halted (CIR-302)")
      .Set(head.halted ? 1 : 0);
  metrics.AddGauge("qfs_ledger_group_commits", "Group commits (fdatasyncs) since the node started")
      .Set(static_cast<std::int64_t>(head.group_commits));
  metrics
      .AddGauge("qfs_ledger_commit_window_us",
                "The group-commit window now, microseconds (wider while the cores are saturated)")
      .Set(head.commit_window_us);
  metrics
      .AddGauge("qfs_ledger_refusals_unlogged",
                "Refused packets answered without a log entry since the node started (their "
                "signer or the node had spent its refusal budget)")
      .Set(static_cast<std::int64_t>(head.refusals_unlogged));
}

}  // namespace qfs::node
