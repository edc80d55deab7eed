{
  # Sources are listed by globbing core/ and binding/, so adding a kernel never edits this file.
  "targets": [
    {
      "target_name": "probedeck",
      "sources": [
        "<!@(node -p \"require('fs').readdirSync('core').filter(f => f.endsWith('.cpp')).map(f => 'core/' + f).join(' ')\")",
        "<!@(node -p \"require('fs').readdirSync('binding').filter(f => f.endsWith('.cpp')).map(f => 'binding/' + f).join(' ')\")"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")", "core"],
      "defines": [
        "NAPI_VERSION=8",
        "NODE_API_NO_EXTERNAL_BUFFERS_ALLOWED",
        "NAPI_DISABLE_CPP_EXCEPTIONS"
      ],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17"],
      "cflags_cc": ["-std=c++20", "-O3", "-ffp-contract=off", "-fno-fast-math", "-fexceptions", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "xcode_settings": {
        "GCC_ENABLE_CPP_EXCEPTIONS": "YES",
        "CLANG_CXX_LANGUAGE_STANDARD": "c++20",
        "OTHER_CPLUSPLUSFLAGS": ["-O3", "-ffp-contract=off"]
      },
      "msvs_settings": {
        "VCCLCompilerTool": { "ExceptionHandling": 1, "AdditionalOptions": ["/std:c++20", "/fp:precise"] }
      }
    }
  ]
}
