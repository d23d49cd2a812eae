// Whether this test binary is built with AddressSanitizer (GCC defines __SANITIZE_ADDRESS__, clang answers
// __has_feature(address_sanitizer)). Whole-day run tests take seconds in a release build and minutes under
// a sanitizer: they skip themselves there, and the sanitizer phase runs their small every-event versions.
#pragma once

namespace liqsim::testing_support {

#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool kSanitizedBuild = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr bool kSanitizedBuild = true;
#else
inline constexpr bool kSanitizedBuild = false;
#endif
#else
inline constexpr bool kSanitizedBuild = false;
#endif

}  // namespace liqsim::testing_support
