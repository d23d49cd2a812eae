# Sourced by scripts/test.sh and scripts/fuzz.sh: clang_fuzzer_available succeeds when clang++ and its
# libFuzzer runtime are installed (Debian: clang, libclang-rt-14-dev).
clang_fuzzer_available() {
  command -v clang++ > /dev/null &&
    echo 'extern "C" int LLVMFuzzerTestOneInput(const char*, long) { return 0; }' |
      clang++ -x c++ -fsanitize=fuzzer - -o /dev/null 2> /dev/null
}
