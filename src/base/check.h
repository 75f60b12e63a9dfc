// QFS_CHECK: assertions for programmer errors. They stay on in every build type ("the only correct
// way to handle corrupt code is to crash"). Never use them on input from outside the process:
// outside input gets a Status.
//
//   QFS_CHECK(index < size);
//   QFS_CHECK_MSG(limbs <= kMax, "fixed-point precision beyond the compiled limit");
#ifndef QFS_BASE_CHECK_H_
#define QFS_BASE_CHECK_H_

namespace qfs::internal {
[[noreturn]] void CheckFailed(const char* file, int line, const char* expr, const char* message);
}  // namespace qfs::internal

#define QFS_CHECK(cond)                                                 \
  do {                                                                  \
    if (__builtin_expect(!(cond), 0)) {                                 \
      ::qfs::internal::CheckFailed(__FILE__, __LINE__, #cond, nullptr); \
    }                                                                   \
  } while (0)

#define QFS_CHECK_MSG(cond, msg)                                      \
  do {                                                                \
    if (__builtin_expect(!(cond), 0)) {                               \
      ::qfs::internal::CheckFailed(__FILE__, __LINE__, #cond, (msg)); \
    }                                                                 \
  } while (0)

#endif  // QFS_BASE_CHECK_H_
