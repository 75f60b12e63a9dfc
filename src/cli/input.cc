#include "cli/input.h"

#include <fstream>
#include <iostream>

namespace qfs::cli {

Result<std::string> ReadTextInput(const std::string& file, std::size_t max_bytes,
                                  const std::string& what) {
  std::ifstream f;
  std::istream* in = &std::cin;
  if (file != "-") {
    f.open(file, std::ios::binary);
    if (!f) return Status(StatusCode::kNotFound, "cannot open " + file);
    in = &f;
  }
  std::string out;
  char chunk[64 * 1024];
  while (in->read(chunk, sizeof chunk) || in->gcount() > 0) {
    out.append(chunk, static_cast<std::size_t>(in->gcount()));
    if (out.size() > max_bytes) {
      return Status(StatusCode::kTooLarge,
                    what + " is larger than " + std::to_string(max_bytes) + " bytes");
    }
  }
  if (in->bad()) return Status(StatusCode::kIoError, "cannot read " + file);
  return out;
}

}  // namespace qfs::cli
