{
  "targets": [
    {
      "target_name": "peftjs_native",
      "sources": [
        "native/addon.cc",
        "native/gemm.cc",
        "native/elementwise.cc",
        "native/reduce.cc",
        "native/movement.cc",
        "native/fused.cc",
        "native/attention.cc",
        "native/lora.cc"
      ],
      "cflags_cc!": ["-fno-exceptions"],
      "cflags_cc": ["-std=c++17", "-O3", "-march=native", "-fopenmp", "-fno-math-errno", "-fno-trapping-math", "-Wno-unused-function"],
      "ldflags": ["-fopenmp"],
      "conditions": [
        ["'<!(node scripts/detect-blas.mjs)'=='onednn'", {
          "defines": ["PEFT_USE_DNNL"],
          "libraries": ["-ldnnl"]
        }, {
          "libraries": ["-lopenblas"]
        }]
      ]
    }
  ]
}
