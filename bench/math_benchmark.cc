// CertifiedMath: nanoseconds per operation. Inputs cycle through a fixed table of typical
// operands so that branch prediction sees a realistic mix. Run:
//   build/release/bench/qfs_math_benchmark --benchmark_repetitions=5
//   (add --benchmark_report_aggregates_only=true for medians only)
#include <benchmark/benchmark.h>

#include <array>

#include "math/fixed.h"
#include "math/functions.h"

namespace qfs::math {
namespace {

constexpr std::array<const char*, 8> kOperands = {"0.5",
                                                  "1.25",
                                                  "2.718281828459045235",
                                                  "3.141592653589793238",
                                                  "7.389",
                                                  "12.000000000000000001",
                                                  "0.000001234",
                                                  "19.5"};

template <typename T>
std::array<T, kOperands.size()> Operands() {
  std::array<T, kOperands.size()> out;
  for (std::size_t i = 0; i < kOperands.size(); ++i) out[i] = T::Parse(kOperands[i]).value();
  return out;
}

template <typename Fn>
void Binary(benchmark::State& state, Fn fn) {
  auto xs = Operands<UD128x18>();
  std::size_t i = 0;
  for (auto _ : state) {
    auto r = fn(xs[i % xs.size()], xs[(i + 3) % xs.size()]);
    benchmark::DoNotOptimize(r);
    ++i;
  }
}

template <typename T, typename Fn>
void Unary(benchmark::State& state, Fn fn) {
  auto xs = Operands<T>();
  std::size_t i = 0;
  for (auto _ : state) {
    auto r = fn(xs[i % xs.size()]);
    benchmark::DoNotOptimize(r);
    ++i;
  }
}

void BM_Add(benchmark::State& s) {
  Binary(s, [](auto a, auto b) { return Add(a, b); });
}
void BM_Sub(benchmark::State& s) {
  // Pairs ordered before the loop, so that no iteration underflows.
  auto xs = Operands<UD128x18>();
  std::array<std::pair<UD128x18, UD128x18>, kOperands.size()> pairs;
  for (std::size_t i = 0; i < xs.size(); ++i) {
    UD128x18 a = xs[i], b = xs[(i + 3) % xs.size()];
    pairs[i] = {Max(a, b), Min(a, b)};
  }
  std::size_t i = 0;
  for (auto _ : s) {
    const auto& [a, b] = pairs[i++ % pairs.size()];
    benchmark::DoNotOptimize(Sub(a, b));
  }
}
void BM_Mul(benchmark::State& s) {
  Binary(s, [](auto a, auto b) { return Mul(a, b); });
}
void BM_Div(benchmark::State& s) {
  Binary(s, [](auto a, auto b) { return Div(a, b); });
}
// Operands whose products and scaled dividends exceed 2^128 (the 256-bit path).
void BM_MulWide(benchmark::State& s) {
  UD128x18 a = UD128x18::Parse("123456789012345.678").value();
  UD128x18 b = UD128x18::Parse("98765.4321").value();
  for (auto _ : s) benchmark::DoNotOptimize(Mul(a, b));
}
void BM_DivWide(benchmark::State& s) {
  UD128x18 a = UD128x18::Parse("123456789012345.678").value();
  UD128x18 b = UD128x18::Parse("98765.4321").value();
  for (auto _ : s) benchmark::DoNotOptimize(Div(a, b));
}
void BM_Sqrt(benchmark::State& s) {
  Unary<UD128x18>(s, [](auto a) { return Sqrt(a); });
}
void BM_Exp(benchmark::State& s) {
  Unary<UD128x18>(s, [](auto a) { return Exp(a); });
}
void BM_ExpNegative(benchmark::State& s) {
  Unary<SD128x18>(s, [](auto a) { return Exp(Neg(a).value()); });
}
void BM_Ln(benchmark::State& s) {
  Unary<UD128x18>(s, [](auto a) { return Ln(Add(a, UD128x18::One()).value()); });
}
void BM_Log2(benchmark::State& s) {
  Unary<SD128x18>(s, [](auto a) { return Log2(a); });
}
void BM_Log10(benchmark::State& s) {
  Unary<SD128x18>(s, [](auto a) { return Log10(a); });
}
void BM_Pow(benchmark::State& s) {
  Binary(s, [](auto a, auto b) { return Pow(a, b); });
}
void BM_Tanh(benchmark::State& s) {
  Unary<SD128x18>(s, [](auto a) { return Tanh(a); });
}
void BM_Sigmoid(benchmark::State& s) {
  Unary<SD128x18>(s, [](auto a) { return Sigmoid(a); });
}
void BM_Erf(benchmark::State& s) {
  Unary<SD128x18>(s, [](auto a) { return Erf(a); });
}

BENCHMARK(BM_Add);
BENCHMARK(BM_Sub);
BENCHMARK(BM_Mul);
BENCHMARK(BM_Div);
BENCHMARK(BM_MulWide);
BENCHMARK(BM_DivWide);
BENCHMARK(BM_Sqrt);
BENCHMARK(BM_Exp);
BENCHMARK(BM_ExpNegative);
BENCHMARK(BM_Ln);
BENCHMARK(BM_Log2);
BENCHMARK(BM_Log10);
BENCHMARK(BM_Pow);
BENCHMARK(BM_Tanh);
BENCHMARK(BM_Sigmoid);
BENCHMARK(BM_Erf);

}  // namespace
}  // namespace qfs::math

BENCHMARK_MAIN();
