// Support for the constant-time check (tests/ct): secrets are marked "undefined" for valgrind
// memcheck, so any branch or memory index that depends on them is reported. Values derived from
// secrets that are published anyway (a public key, a ciphertext) are declassified here. Outside
// valgrind these are a few no-op instructions.
#ifndef QFS_CRYPTO_CT_H_
#define QFS_CRYPTO_CT_H_

#include <valgrind/memcheck.h>

#include <cstddef>

namespace qfs::crypto {

// Marks [p, p+n) as public.
inline void Declassify(const void* p, std::size_t n) { (void)VALGRIND_MAKE_MEM_DEFINED(p, n); }

// Marks [p, p+n) as secret (tests only).
inline void Classify(const void* p, std::size_t n) { (void)VALGRIND_MAKE_MEM_UNDEFINED(p, n); }

}  // namespace qfs::crypto

#endif  // QFS_CRYPTO_CT_H_
