# The native engine (native/). `npm ci` builds it through native/build.mjs, which first checks
# that a BLAS is installed. OpenBLAS is found with pkg-config; macOS uses Accelerate.
{
  "targets": [
    {
      "target_name": "continuum_native",
      "sources": [
        "native/addon.cpp",
        "native/attention.cpp",
        "native/flash.cpp",
        "native/gpt.cpp",
        "native/layers.cpp",
        "native/threads.cpp",
        "native/vmath.cpp"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions"],
      # -O3 without -march=native or -ffast-math: the binary runs on any x86-64 (AVX2 kernels are
      # chosen at run time) and follows IEEE float semantics, so it matches the reference engine.
      "cflags_cc": ["-std=c++17", "-O3", "-fno-math-errno"],
      "conditions": [
        ["OS=='mac'", {
          "defines": ["CONTINUUM_ACCELERATE", "ACCELERATE_NEW_LAPACK"],
          "libraries": ["-framework Accelerate"],
          "xcode_settings": {
            "GCC_ENABLE_CPP_EXCEPTIONS": "YES",
            "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
            "OTHER_CPLUSPLUSFLAGS": ["-O3"]
          }
        }],
        ["OS!='mac'", {
          "cflags_cc": ["<!@(pkg-config --cflags openblas)"],
          "libraries": [
            "<!@(pkg-config --libs openblas)",
            "-Wl,-rpath,<!(pkg-config --variable=libdir openblas)"
          ]
        }]
      ]
    }
  ]
}
