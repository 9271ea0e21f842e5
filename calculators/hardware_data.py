"""Accelerator specifications, transcribed with their sources.

Rates are dense (no structured sparsity), in TFLOP/s (TOP/s for int8); None
where the vendor publishes no figure or the hardware lacks the data type.
Bandwidth is decimal GB/s as vendors state it; memory_gib is the capacity
label. Each entry's `sources` are citations a reader can follow: a URL, or a
GitHub file as `owner/repo path @commit`, each with what was read there.
"""

HARDWARE = [
    {
        "id":                    "h100-sxm",
        "name":                  "NVIDIA H100 SXM 80GB",
        "vendor":                "NVIDIA",
        "kind":                  "datacenter-gpu",
        "memory_gib":            80,
        "memory_type":           "HBM3",
        "memory_bandwidth_gb_s": 3350,
        "compute_capability":    "9.0",
        "dense_tflops":          {"fp32": 67, "tf32": 494.5, "fp16": 989.5, "bf16": 989.5,
                                  "fp8": 1979.0, "int8": 1979.0, "fp4": None},
        "interconnect":          "NVLink 900 GB/s; PCIe Gen5 128 GB/s",
        "sources": [
            "https://www.nvidia.com/en-us/data-center/h100/ (spec table: 'BFLOAT16 Tensor Core* 1,979 teraFLOPS, "
            "FP8 Tensor Core* 3,958, INT8 Tensor Core* 3,958, GPU memory 80GB, bandwidth 3.35TB/s; * With "
            "sparsity')",
            "lamonoai/gpumap nvidia/GPU.md @a2dfba25de6b207b939fdd2233aeab297035f1af (spec table with dense and "
            "*sparse columns: H100 SXM5 989/1979, FP8 1979/3958, 3,352 GB/s; Compute Capability 9.0)",
            "https://www.glennklockwood.com/garden/processors/H100 (FP16/BF16 matrix 989.4 dense, 1978.9 sparse; "
            "TF32 494.7/989.4; FP32 66.9)",
            "https://archive-lib.hpctech.co.jp/gpuproduct/nvidia-h100.html (NVIDIA H100 spec table: 'FP32 67 "
            "TFLOPS, TF32 Tensor Core 989 TFLOPS*, interconnect NVLink 900GB/s, PCIe Gen5 128GB/s; * Shown with "
            "sparsity. Specifications 1/2 lower without sparsity')",
        ],
        "notes":                 ("Dense = datasheet sparse/2 (TF32 989*/2 = 494.5). Dense BF16 often quoted as "
                                  "989.4 (exact half of 1978.9). LLM-Viewer uses 3072e9 B/s bandwidth (vs NVIDIA "
                                  "3.35 TB/s) and its older revision used the sparse 1979 TFLOPS as FP16. Sparse: "
                                  "FP16/BF16 1979, FP8/INT8 3958. No FP4."),
    },
    {
        "id":                    "h100-pcie",
        "name":                  "NVIDIA H100 PCIe 80GB",
        "vendor":                "NVIDIA",
        "kind":                  "datacenter-gpu",
        "memory_gib":            80,
        "memory_type":           "HBM2e",
        "memory_bandwidth_gb_s": 2000,
        "compute_capability":    "9.0",
        "dense_tflops":          {"fp32": 51, "tf32": 378.0, "fp16": 756.5, "bf16": 756.5,
                                  "fp8": 1513.0, "int8": 1513.0, "fp4": None},
        "interconnect":          "PCIe Gen5 x16 128 GB/s; NVLink bridge 600 GB/s",
        "sources": [
            "https://resources.nvidia.com/en-us-tensor-core/nvidia-tensor-core-gpu-datasheet (H100 datasheet, PCIe "
            "column: 'BFLOAT16 1,513 teraFLOPS*, FP8 3026*, INT8 3026*, 80GB HBM2e, 2TB/s; * sparsity, dense is "
            "half')",
            "lamonoai/gpumap nvidia/GPU.md @a2dfba25de6b207b939fdd2233aeab297035f1af (H100 PCIe: 756/1513, FP8 "
            "1513/3026, 2,048 GB/s; FP32 51; TF32 378/756; Compute Capability 9.0)",
            "hahnyuan/LLM-Viewer hardwares/hardware_params.py @f307ca5a1102ddbfdee68cdedcada7d9c76cec2d ('the OPS "
            "= sparse OPS/2'; nvidia_H100_PCIe bandwidth 2048e9, FP16 1513e12/2, INT8 3026e12/2)",
            "https://archive-lib.hpctech.co.jp/gpuproduct/nvidia-h100.html (PCIe column: 'FP32 51 TFLOPS, TF32 "
            "Tensor Core 756 TFLOPS*, NVLINK 600GB/s, PCIe Gen5 128GB/s')",
        ],
        "notes":                 ("Bandwidth: NVIDIA datasheet says 2TB/s; gpumap and LLM-Viewer use 2048 GB/s. "
                                  "H100 NVL (94GB, 3.9TB/s) is a different SKU (see h100-nvl). Dense = sparse/2; "
                                  "sparse FP16/BF16 1513, FP8/INT8 3026."),
    },
    {
        "id":                    "h200-sxm",
        "name":                  "NVIDIA H200 SXM 141GB",
        "vendor":                "NVIDIA",
        "kind":                  "datacenter-gpu",
        "memory_gib":            141,
        "memory_type":           "HBM3e",
        "memory_bandwidth_gb_s": 4800,
        "compute_capability":    "9.0",
        "dense_tflops":          {"fp32": 67, "tf32": 494.5, "fp16": 989.5, "bf16": 989.5,
                                  "fp8": 1979.0, "int8": 1979.0, "fp4": None},
        "interconnect":          "NVLink 4 900 GB/s",
        "sources": [
            "https://www.nvidia.com/en-us/data-center/h200/ ('141GB GPU memory, 4.8TB/s')",
            "lamonoai/gpumap nvidia/GPU.md @a2dfba25de6b207b939fdd2233aeab297035f1af (H200 SXM5 column, compute "
            "identical to H100 SXM5: FP32 67, TF32 495/989; Compute Capability 9.0)",
            "https://github.com/alpharomercoma/MI300X-vs-H200/blob/HEAD/METHODOLOGY.md (H200 BF16 dense 989.4, FP8 "
            "dense 1978.9, 4.8 TB/s, 141 GB)",
            "https://itkb.uw.cz/2026/06/nvidia-h200-vs-b300-precisions-cores.html (H200 NVLink 4th gen, 900 GB/s)",
        ],
        "notes":                 ("Same Hopper compute as H100 SXM; only memory differs. Sparse: FP16/BF16 1979, "
                                  "FP8/INT8 3958."),
    },
    {
        "id":                    "a100-sxm-80gb",
        "name":                  "NVIDIA A100 SXM 80GB",
        "vendor":                "NVIDIA",
        "kind":                  "datacenter-gpu",
        "memory_gib":            80,
        "memory_type":           "HBM2e",
        "memory_bandwidth_gb_s": 2039,
        "compute_capability":    "8.0",
        "dense_tflops":          {"fp32": 19.5, "tf32": 156, "fp16": 312, "bf16": 312,
                                  "fp8": None, "int8": 624, "fp4": None},
        "interconnect":          "NVLink 3 600 GB/s; PCIe Gen4 64 GB/s",
        "sources": [
            "https://www.nvidia.com/content/dam/en-zz/Solutions/Data-Center/a100/pdf/nvidia-a100-datasheet-us-nvidia-1758950-r4-web.pdf "
            "(A100 80GB datasheet: 'BFLOAT16 Tensor Core 312 TFLOPS / 624 TFLOPS*, INT8 624 TOPS / 1248 TOPS*, "
            "bandwidth 1,935GB/s (PCIe) | 2,039GB/s (SXM); * With sparsity')",
            "hahnyuan/LLM-Viewer hardwares/hardware_params.py @f307ca5a1102ddbfdee68cdedcada7d9c76cec2d ('the OPS "
            "= sparse OPS/2'; nvidia_A100_80G: 2039e9, FP16 312e12, INT8 624e12)",
            "https://images.nvidia.com/aem-dam/en-zz/Solutions/data-center/nvidia-ampere-architecture-whitepaper.pdf "
            "(GA100 whitepaper table: 'Peak TF32 Tensor TFLOPS 156/312; Peak FP32 TFLOPS (non-Tensor) 19.5')",
            "https://www.glennklockwood.com/garden/processors/A100 (citing the NVIDIA A100 datasheet: FP32 19.5, "
            "TF32 156/312; 300+300 GB/s NVLink)",
            "https://www.thundercompute.com/blog/nvidia-a100-specs-full-guide (A100 SXM interconnect: NVLink 3.0 "
            "(600GB/s))",
            "lamonoai/gpumap nvidia/GPU.md @a2dfba25de6b207b939fdd2233aeab297035f1af (A100 Compute Capability 8.0)",
        ],
        "notes":                 "No FP8 (Ampere). Sparse: FP16/BF16 624, INT8 1248, TF32 312.",
    },
    {
        "id":                    "a100-40gb",
        "name":                  "NVIDIA A100 40GB (SXM4 / PCIe)",
        "vendor":                "NVIDIA",
        "kind":                  "datacenter-gpu",
        "memory_gib":            40,
        "memory_type":           "HBM2",
        "memory_bandwidth_gb_s": 1555,
        "compute_capability":    "8.0",
        "dense_tflops":          {"fp32": 19.5, "tf32": 156, "fp16": 312, "bf16": 312,
                                  "fp8": None, "int8": 624, "fp4": None},
        "interconnect":          "NVLink 3 600 GB/s (SXM4); PCIe Gen4 x16 64 GB/s (PCIe card)",
        "sources": [
            "hahnyuan/LLM-Viewer hardwares/hardware_params.py @f307ca5a1102ddbfdee68cdedcada7d9c76cec2d ('the OPS "
            "= sparse OPS/2'; nvidia_A100_40G: bandwidth 1555e9, FP16 312e12, INT8 624e12)",
            "lamonoai/gpumap nvidia/GPU.md @a2dfba25de6b207b939fdd2233aeab297035f1af (A100 PCIe 40GB: HBM2, 1,555 "
            "GB/s, FP32 19.5, TF32 156/312, CC 8.0)",
            "https://www.thundercompute.com/blog/nvidia-a100-specs-full-guide (A100 PCIe 40GB and A100 SXM 40GB: "
            "'40GB HBM2', '1,555GB/s')",
            "https://images.nvidia.com/aem-dam/en-zz/Solutions/data-center/nvidia-ampere-architecture-whitepaper.pdf "
            "(GA100 whitepaper, A100 SXM4 40 GB: 'Peak TF32 Tensor TFLOPS 156/312, Peak FP32 19.5, Memory "
            "Bandwidth 1555 GB/sec')",
            "https://upb-pc2.atlassian.net/wiki/spaces/PC2DOK/pages/1900609/NVIDIA+A100+40GB+with+NVLINK (FP32 "
            "19.5, TF32 156/312*, '1.555 GB/s' [sic, TB/s], CUDA capability 8.0)",
        ],
        "notes":                 ("Applies to SXM4 and PCIe 40GB (both 1,555 GB/s), so no separate 'A100 40GB "
                                  "PCIe' entry. No FP8. Sparse: FP16/BF16 624, INT8 1248."),
    },
    {
        "id":                    "l40s",
        "name":                  "NVIDIA L40S",
        "vendor":                "NVIDIA",
        "kind":                  "datacenter-gpu",
        "memory_gib":            48,
        "memory_type":           "GDDR6",
        "memory_bandwidth_gb_s": 864,
        "compute_capability":    "8.9",
        "dense_tflops":          {"fp32": 91.6, "tf32": 183, "fp16": 362.05, "bf16": 362.05,
                                  "fp8": 733, "int8": 733, "fp4": None},
        "interconnect":          "PCIe Gen4 x16 64 GB/s (no NVLink)",
        "sources": [
            "https://www.mullet.se/product.html?product_id=355414 (reseller copy of the NVIDIA L40/L40S datasheet "
            "table: L40S FP32 91.6, TF32 Tensor 183 | 366*, BF16/FP16 Tensor 362.05 | 733*, FP8 733 | 1,466*, 48GB "
            "GDDR6, 864GB/s, 'Interconnect Interface PCIe Gen4 x16: 64GB/s bidirectional', '* With Sparsity')",
            "https://hmc-tech.com/gpu/nvidia-l40s-vs-nvidia-t40 (INT8 732.86 TOPS dense, 1.47 POPS sparse)",
            "lamonoai/gpumap nvidia/GPU.md @a2dfba25de6b207b939fdd2233aeab297035f1af (spec table with dense and "
            "*sparse columns; L40S Compute Capability 8.9)",
        ],
        "notes":                 ("gpumap lists 366/733 for FP16 (boost-clock arithmetic); NVIDIA datasheet prints "
                                  "362.05. INT8 dense 733 from third-party (hmc-tech 732.86). NVIDIA does not "
                                  "state FP16 accumulate precision for the L40S figure."),
    },
    {
        "id":                    "l4",
        "name":                  "NVIDIA L4",
        "vendor":                "NVIDIA",
        "kind":                  "datacenter-gpu",
        "memory_gib":            24,
        "memory_type":           "GDDR6",
        "memory_bandwidth_gb_s": 300,
        "compute_capability":    "8.9",
        "dense_tflops":          {"fp32": 30.3, "tf32": 60, "fp16": 121.0, "bf16": 121.0,
                                  "fp8": 242.5, "int8": 242.5, "fp4": None},
        "interconnect":          "PCIe Gen4 x16 64 GB/s",
        "sources": [
            "https://www.nvidia.com/en-us/data-center/l4/ ('242 FP16/BF16 and 485 FP8 TFLOPS with sparsity; 24 GB, "
            "300 GB/s, 72 W')",
            "https://store.sourcecode.com/en-us/bg-bucket-compare/125/9820 (L4 INT8 Tensor Core 485 TOPS | "
            "Sparsity, TF32 Tensor Core 120 TFLOPS | Sparsity, 300 GB/s, PCI Express 4.0 x16)",
            "lamonoai/gpumap nvidia/GPU.md @a2dfba25de6b207b939fdd2233aeab297035f1af (L4: FP32 30.3, FP16 121/242, "
            "FP8 242/485, INT8 242/485, CC 8.9)",
            "kentjliu/acml-project1 README.md @bba69f812a6b4350c6e75de37884be6199088043 (L4 FP32 30.3 TFLOPS, "
            "citing the NVIDIA L4 datasheet)",
        ],
        "notes":                 ("Dense values = sparse/2 (121 / 242.5 / 242.5; TF32 120*/2 = 60). gpumap rounds "
                                  "TF32 to 61/121."),
    },
    {
        "id":                    "a10g",
        "name":                  "NVIDIA A10G (AWS)",
        "vendor":                "NVIDIA",
        "kind":                  "datacenter-gpu",
        "memory_gib":            24,
        "memory_type":           "GDDR6",
        "memory_bandwidth_gb_s": 600,
        "compute_capability":    "8.6",
        "dense_tflops":          {"fp32": None, "tf32": None, "fp16": None, "bf16": None,
                                  "fp8": None, "int8": None, "fp4": None},
        "interconnect":          "PCIe (no NVLink on AWS G5)",
        "sources": [
            "https://www.baseten.co/blog/nvidia-a10-vs-a10g-for-ml-model-inference/ ('24 gigabytes of GDDR6 VRAM "
            "with a memory bandwidth of 600 gigabytes per second'; A10G tensor specs differ from A10)",
            "https://huggingface.co/RajBhope/gpu-runtime-predictor/blob/main/gpu_catalog.json (NVIDIA_A10G "
            "compute_capability 8.6; GA102-class Ampere)",
        ],
        "notes":                 ("A10G tensor TFLOPS not found in corpora (AWS-specific SKU; the A10 datasheet's "
                                  "125 TF BF16 / 250 TOPS INT8 dense do NOT apply per Baseten). All rates left "
                                  "null. For reference the A10 datasheet gives BFLOAT16 Tensor Core 125 TF | 250 "
                                  "TF* (see a10 entry). Compute capability 8.6 from a third-party catalog (GA102 "
                                  "Ampere); NVIDIA does not list the AWS-only A10G. The interconnect field (PCIe, "
                                  "no NVLink on AWS G5) has no followable source here."),
    },
    {
        "id":                    "rtx-4090",
        "name":                  "NVIDIA GeForce RTX 4090",
        "vendor":                "NVIDIA",
        "kind":                  "consumer-gpu",
        "memory_gib":            24,
        "memory_type":           "GDDR6X",
        "memory_bandwidth_gb_s": 1008,
        "compute_capability":    "8.9",
        "dense_tflops":          {"fp32": 82.6, "tf32": 82.6, "fp16": 165.2, "bf16": 165.2,
                                  "fp8": 330.3, "int8": 660.6, "fp4": None},
        "interconnect":          "PCIe 4.0 x16 (no NVLink)",
        "sources": [
            "https://images.nvidia.com/aem-dam/Solutions/geforce/ada/nvidia-ada-gpu-architecture.pdf (Ada GPU "
            "Architecture whitepaper, Appendix A Table 2, GeForce RTX 4090: Peak FP32 TFLOPS (non-Tensor) 82.6, "
            "TF32 82.6/165.2, BF16 w/ FP32 acc 165.2/330.4, FP16 w/ FP16 acc 330.3/660.6, FP8 w/ FP32 acc "
            "330.3/660.6 (corrected in v2.02), FP8 w/ FP16 acc 660.6/1321.2, INT8 660.6/1321.2, 1008 GB/s)",
            "lamonoai/gpumap nvidia/GPU.md @a2dfba25de6b207b939fdd2233aeab297035f1af (RTX 4090: CC 8.9, "
            "PCI-Express 4.0 x16, NVLINK not supported)",
        ],
        "notes":                 ("FP16/BF16 and FP8 values are the FP32-accumulate rates (GeForce runs "
                                  "FP32-accumulate at half rate). FP16-accumulate: FP16 330.3 dense; FP8 660.6 "
                                  "dense. Sparse: BF16 330.4, INT8 1321.2. No FP4 (Ada)."),
    },
    {
        "id":                    "rtx-3090",
        "name":                  "NVIDIA GeForce RTX 3090",
        "vendor":                "NVIDIA",
        "kind":                  "consumer-gpu",
        "memory_gib":            24,
        "memory_type":           "GDDR6X",
        "memory_bandwidth_gb_s": 936,
        "compute_capability":    "8.6",
        "dense_tflops":          {"fp32": 35.6, "tf32": 35.6, "fp16": 71, "bf16": 71,
                                  "fp8": None, "int8": 284, "fp4": None},
        "interconnect":          "PCIe 4.0 x16",
        "sources": [
            "https://www.nvidia.com/content/PDF/nvidia-ampere-ga-102-gpu-architecture-whitepaper-v2.pdf (GA102 "
            "whitepaper, Appendix A Table 9, GeForce RTX 3090: 'Peak FP16 Tensor TFLOPS with FP32 Accumulate "
            "71/142', 'with FP16 Accumulate 142/284', 'Peak INT8 Tensor TOPS 284/568', Peak TF32 Tensor 35.6, Peak "
            "FP32 35.6, 'Memory Bandwidth 936 GB/sec')",
            "lamonoai/gpumap nvidia/GPU.md @a2dfba25de6b207b939fdd2233aeab297035f1af (GA102 Ampere consumer parts: "
            "Compute Capability 8.6)",
        ],
        "notes":                 ("fp16_bf16 value is FP16 with FP32 accumulate (BF16 row not quoted separately; "
                                  "treated as equal). FP16-accumulate: 142 dense. No FP8. Sparse: FP16 (FP32 acc) "
                                  "142, INT8 568. The card has an NVLink bridge connector (3rd-gen, 2-way), not "
                                  "captured in the interconnect field because no corpus source for its bandwidth "
                                  "was checked."),
    },
    {
        "id":                    "t4",
        "name":                  "NVIDIA T4",
        "vendor":                "NVIDIA",
        "kind":                  "datacenter-gpu",
        "memory_gib":            16,
        "memory_type":           "GDDR6",
        "memory_bandwidth_gb_s": 320,
        "compute_capability":    "7.5",
        "dense_tflops":          {"fp32": 8.1, "tf32": None, "fp16": 65, "bf16": None,
                                  "fp8": None, "int8": 130, "fp4": None},
        "interconnect":          "PCIe Gen3 x16",
        "sources": [
            "https://www.nvidia.com/en-us/data-center/tesla-t4/ ('65 FP16 TFLOPS mixed precision, 130 INT8 TOPS, "
            "260 INT4 TOPS, 16 GB GDDR6, 320+ GB/s, 70 W')",
            "kentjliu/acml-project1 README.md @bba69f812a6b4350c6e75de37884be6199088043 (T4 Peak FP32 8.1 TFLOPS, "
            "citing the NVIDIA T4 datasheet t4-tensor-core-datasheet-951643.pdf)",
            "https://huggingface.co/RajBhope/gpu-runtime-predictor/blob/main/gpu_catalog.json (NVIDIA_T4 "
            "fp32_tflops 8.1, compute_capability 7.5)",
            "https://sysrqmts.com/es/gpus/compare/nvidia-tesla-t4-vs-nvidia-tesla-v100-sxm3-32-gb (T4 bus "
            "interface PCIe 3.0 x16)",
        ],
        "notes":                 ("Turing has no structured sparsity, so these are dense. No BF16, no TF32, no FP8 "
                                  "(bf16 left null; NVIDIA's 65 TFLOPS figure is FP16 only). Some notes cite the "
                                  "T4 datasheet as 300 GB/s vs product page '320+ GB/s'. PCIe 3.0 x16 per sysrqmts "
                                  "(TechPowerUp-derived) listing."),
    },
    {
        "id":                    "v100-sxm2-32gb",
        "name":                  "NVIDIA V100 SXM2 32GB",
        "vendor":                "NVIDIA",
        "kind":                  "datacenter-gpu",
        "memory_gib":            32,
        "memory_type":           "HBM2",
        "memory_bandwidth_gb_s": 900,
        "compute_capability":    "7.0",
        "dense_tflops":          {"fp32": 15.7, "tf32": None, "fp16": 125, "bf16": None,
                                  "fp8": None, "int8": None, "fp4": None},
        "interconnect":          "NVLink 2 300 GB/s",
        "sources": [
            "https://www.nvidia.com/en-us/data-center/v100/ ('Tensor Performance 125 TFLOPS (SXM2), 900 GB/s')",
            "hahnyuan/LLM-Viewer hardwares/hardware_params.py @f307ca5a1102ddbfdee68cdedcada7d9c76cec2d ('the OPS "
            "= sparse OPS/2'; nvidia_V100: 900e9, FP16 112e12 [the PCIe figure], INT8 62e12 non-tensor; 'V100 not "
            "support INT8 in tensor core')",
            "https://images.nvidia.com/aem-dam/en-zz/Solutions/data-center/nvidia-ampere-architecture-whitepaper.pdf "
            "(comparison table, Tesla V100 SXM2: Peak FP16 Tensor 125, Peak FP32 15.7, TF32 NA, BF16 NA, 900 "
            "GB/sec)",
            "https://huggingface.co/RajBhope/gpu-runtime-predictor/blob/main/gpu_catalog.json (NVIDIA_V100 "
            "compute_capability 7.0)",
            "https://www.manualshelf.com/manual/dell/high-performance-computing-solution-resources/reference-guide-english/page-17.html "
            "(Dell EMC Ready Solutions for AI Deep Learning with NVIDIA, p.17: 'each V100-SXM2 GPU has 6 NVLinks "
            "... The bandwidth of each NVLink is 25GB/s in uni-direction' -> 6 x 25 x 2 = 300 GB/s bidirectional)",
        ],
        "notes":                 ("FP16 only (no BF16, no TF32, no FP8). No INT8 tensor cores; INT8 left null "
                                  "(LLM-Viewer uses 62 TOPS via DP4A). NVLink: 6 links x 25 GB/s per direction = "
                                  "300 GB/s total bidirectional (150 GB/s per direction)."),
    },
    {
        "id":                    "mi300x",
        "name":                  "AMD Instinct MI300X",
        "vendor":                "AMD",
        "kind":                  "datacenter-gpu",
        "memory_gib":            192,
        "memory_type":           "HBM3",
        "memory_bandwidth_gb_s": 5300,
        "compute_capability":    None,
        "dense_tflops":          {"fp32": 163.4, "tf32": 653.7, "fp16": 1307.4, "bf16": 1307.4,
                                  "fp8": 2614.9, "int8": 2614.9, "fp4": None},
        "interconnect":          "AMD Infinity Fabric: up to 7 links x 128 GB/s bidirectional; PCIe Gen5 x16",
        "sources": [
            "https://www.amd.com/en/products/accelerators/instinct/mi300/mi300x.html (footnote MI300-17: 1307.4 "
            "TFLOPS FP16/BF16, 2614.9 TFLOPS FP8, 2614.9 TOPs INT8; sparsity 2x: 2,614.9 FP16/BF16, 5,229.8 "
            "FP8/INT8)",
            "https://github.com/alpharomercoma/MI300X-vs-H200/blob/HEAD/METHODOLOGY.md (BF16 dense 1307.4, FP8 "
            "dense 2614.9, 5.3 TB/s, 192 GB)",
            "https://awesomeagents.ai/hardware/amd-mi325x (MI325X, same CDNA3 compute as MI300X: FP32 163.4, TF32 "
            "653.7, FP16/BF16 1,307.4, FP8 2,614.9 TFLOPS) -> fp32 and tf32 for MI300X",
            "https://www.svethardware.cz/amd-predstavilo-instinct-mi325x-s-256gb-pameti-hbm3e-slibuje-i-vykonnejsi-mi355x/61224 "
            "(MI325X has the same 304 CU, 2100 MHz and compute as MI300X)",
            "https://www.wheelersnetwork.com/2024/01/ ('AMD Looks to Infinity for AI Interconnects': 'Each MI300X "
            "GPU has up to seven Infinity Fabric links, each with 16 lanes ... 128GB/s of bidirectional bandwidth "
            "per link')",
        ],
        "notes":                 ("FP8 on MI300X is the FNUZ variant (float8_e4m3fnuz), not OCP e4m3fn. fp32 is "
                                  "the vector FP32 rate (AMD also lists FP32 matrix 163.4). fp32/tf32 taken from "
                                  "MI325X listings, which AMD states share MI300X's compute. Sparse: FP16/BF16 "
                                  "2614.9, FP8/INT8 5229.8. No FP4."),
    },
    {
        "id":                    "m2-ultra",
        "name":                  "Apple M2 Ultra",
        "vendor":                "Apple",
        "kind":                  "unified-memory",
        "memory_gib":            192,
        "memory_type":           "LPDDR5 unified",
        "memory_bandwidth_gb_s": 800,
        "compute_capability":    None,
        "dense_tflops":          {"fp32": None, "tf32": None, "fp16": None, "bf16": None,
                                  "fp8": None, "int8": None, "fp4": None},
        "interconnect":          None,
        "sources": [
            "https://www.apple.com/newsroom/2023/06/apple-introduces-m2-ultra/ ('800GB/s memory bandwidth', up to "
            "192GB unified memory)",
        ],
        "notes":                 ("Max configuration. Apple publishes no dense FP16 matrix TFLOPS; all rate fields "
                                  "null."),
    },
    {
        "id":                    "m3-max",
        "name":                  "Apple M3 Max (16-core CPU / 40-core GPU)",
        "vendor":                "Apple",
        "kind":                  "unified-memory",
        "memory_gib":            128,
        "memory_type":           "LPDDR5 unified",
        "memory_bandwidth_gb_s": 400,
        "compute_capability":    None,
        "dense_tflops":          {"fp32": None, "tf32": None, "fp16": None, "bf16": None,
                                  "fp8": None, "int8": None, "fp4": None},
        "interconnect":          None,
        "sources": [
            "https://macmegasite.com/2024/10/30/m4-max-chip-has-16-core-cpu-40-core-gpu-and-35-increase-in-memory-bandwidth "
            "('M3 Max ... 40-core GPU and 400 GB/s of memory bandwidth')",
            "https://www.apple.com/newsroom/2023/10/apple-unveils-m3-m3-pro-and-m3-max-the-most-advanced-chips-for-a-personal-computer/ "
            "(M3 Max: up to 40-core GPU, up to 128GB of unified memory)",
        ],
        "notes":                 ("Top config (16-core CPU / 40-core GPU): up to 128GB, 400 GB/s. The 14-core CPU "
                                  "/ 30-core GPU M3 Max is commonly listed at 300 GB/s. Tensor TFLOPS not "
                                  "published; all rate fields null."),
    },
    {
        "id":                    "b200",
        "name":                  "NVIDIA B200 (HGX B200, 1000 W)",
        "vendor":                "NVIDIA",
        "kind":                  "datacenter-gpu",
        "memory_gib":            180,
        "memory_type":           "HBM3e",
        "memory_bandwidth_gb_s": 7700,
        "compute_capability":    "10.0",
        "dense_tflops":          {"fp32": 75, "tf32": 1100, "fp16": 2250, "bf16": 2250,
                                  "fp8": 4500, "int8": 4500, "fp4": 9000},
        "interconnect":          "NVLink 5 1.8 TB/s; PCIe Gen5 128 GB/s",
        "sources": [
            "https://zdszero.github.io/Computer/Artificial_Intelligence/Hardware.html (transcription of the NVIDIA "
            "GB200 NVL72 / HGX B200 technical-specifications table: HGX B200 individual GPU 'FP4 Tensor Core 18 "
            "PFLOPS, FP8/FP6 9 PFLOPS, INT8 9 POPS, FP16/BF16 4.5 PFLOPS, TF32 2.2 PFLOPS, FP32 75 TFLOPS, FP64 37 "
            "TFLOPS, 180GB HBM3E | 7.7TB/s, up to 1,000W'; 'Interconnect 5th Generation NVLink: 1.8TB/s, PCIe "
            "Gen5: 128GB/s'; tensor rows are with sparsity, footnoted in NVIDIA's table)",
            "https://www.glennklockwood.com/garden/processors/B200 (HGX B200 at 1,000 W: FP32 80, TF32 1100/2200, "
            "FP16/BF16 2250/4500, FP8 4500/9000, FP4 9000/18000, INT8 4500/9000 dense/sparse; 192 GB, 8 TB/s, "
            "2x900 GB/s NVLink 5)",
            "https://docs.vultr.com/inference-cookbook/cuda/getting-started/hardware-overview (NVIDIA HGX B200: "
            "'Architecture Blackwell (sm_100)', 8.0 TB/s, NVLink 5.0) -> compute capability 10.0",
        ],
        "notes":                 ("Dense = NVIDIA's sparse figures / 2. FP6 runs at the FP8 rate. FP32 is the "
                                  "NVIDIA table's 75 TFLOPS (Lockwood lists 80). Memory/bandwidth: current NVIDIA "
                                  "HGX B200 spec is 180 GB at 7.7 TB/s; earlier/other listings give 192 GB and 8 "
                                  "TB/s. The GB200 (1,200 W) variant is faster (FP16/BF16 2.5 PF dense, FP4 10 PF "
                                  "dense, 186 GB, 8 TB/s) and is not this entry. Sparse: FP16/BF16 4500, FP8/INT8 "
                                  "9000, FP4 18000, TF32 2200."),
    },
    {
        "id":                    "h100-nvl",
        "name":                  "NVIDIA H100 NVL 94GB",
        "vendor":                "NVIDIA",
        "kind":                  "datacenter-gpu",
        "memory_gib":            94,
        "memory_type":           "HBM3",
        "memory_bandwidth_gb_s": 3900,
        "compute_capability":    "9.0",
        "dense_tflops":          {"fp32": 60, "tf32": 417.5, "fp16": 835.5, "bf16": 835.5,
                                  "fp8": 1670.5, "int8": 1670.5, "fp4": None},
        "interconnect":          "NVLink bridge 600 GB/s; PCIe Gen5 x16 128 GB/s",
        "sources": [
            "https://www.nvidia.com/en-us/data-center/h100/ (spec table, columns H100 SXM | H100 NVL: 'FP32 67 | "
            "60 teraFLOPS, TF32 Tensor Core 989 | 835, BFLOAT16 Tensor Core 1,979 | 1,671, FP16 1,979 | 1,671, FP8 "
            "3,958 | 3,341, INT8 3,958 | 3,341 TOPS, GPU Memory 80GB | 94GB, Bandwidth 3.35TB/s | 3.9TB/s, "
            "Interconnect NVLink: 900 GB/s | NVLink: 600 GB/s'; Tensor Core rows marked '* With sparsity')",
            "lamonoai/gpumap nvidia/GPU.md @a2dfba25de6b207b939fdd2233aeab297035f1af (H100 NVL for PCIe: Compute "
            "Capability 9.0, PCI-Express 5.0 x16, bandwidth 3,917 GB/s)",
            "https://gpu.blog/gpus/nvidia-h100-nvl (H100 NVL memory type HBM3, PCIe Gen 5 x16)",
        ],
        "notes":                 ("Dense = datasheet sparse/2 (1,671/2 = 835.5; 3,341/2 = 1,670.5; 835/2 = 417.5). "
                                  "Per-GPU figures; NVIDIA sells it as an NVLink-bridged pair (188 GB total). "
                                  "gpumap prints H100 SXM compute for this column and lists HBM2e, which conflicts "
                                  "with the datasheet; datasheet values used. Sparse: FP16/BF16 1671, FP8/INT8 "
                                  "3341."),
    },
    {
        "id":                    "a100-pcie-80gb",
        "name":                  "NVIDIA A100 PCIe 80GB",
        "vendor":                "NVIDIA",
        "kind":                  "datacenter-gpu",
        "memory_gib":            80,
        "memory_type":           "HBM2e",
        "memory_bandwidth_gb_s": 1935,
        "compute_capability":    "8.0",
        "dense_tflops":          {"fp32": 19.5, "tf32": 156, "fp16": 312, "bf16": 312,
                                  "fp8": None, "int8": 624, "fp4": None},
        "interconnect":          "PCIe Gen4 x16 64 GB/s; NVLink bridge 600 GB/s",
        "sources": [
            "https://www.nvidia.com/content/dam/en-zz/Solutions/Data-Center/a100/pdf/nvidia-a100-datasheet-us-nvidia-1758950-r4-web.pdf "
            "(A100 80GB datasheet: 'BFLOAT16 Tensor Core 312 TFLOPS / 624 TFLOPS*, INT8 624 TOPS / 1248 TOPS*, "
            "bandwidth 1,935GB/s (PCIe) | 2,039GB/s (SXM); * With sparsity')",
            "lamonoai/gpumap nvidia/GPU.md @a2dfba25de6b207b939fdd2233aeab297035f1af (A100 for PCIe 80GB: 1,935 "
            "GB/s, FP32 19.5, TF32 156/312, FP16/BF16 (FP32 acc) 312/624, INT8 624/1247, CC 8.0, PCI-Express 4.0 "
            "x16, NVLink supported)",
            "https://www.thundercompute.com/blog/nvidia-a100-specs-full-guide (A100 PCIe 80GB: 80GB HBM2e, "
            "1,935GB/s, PCIe 4.0 x16)",
        ],
        "notes":                 ("Same GA100 compute as the SXM part; lower bandwidth (1,935 vs 2,039 GB/s) and "
                                  "300 W TDP. No FP8. Sparse: FP16/BF16 624, INT8 1248. gpumap labels the memory "
                                  "HBM2; NVIDIA/thundercompute say HBM2e."),
    },
    {
        "id":                    "a10",
        "name":                  "NVIDIA A10 24GB",
        "vendor":                "NVIDIA",
        "kind":                  "datacenter-gpu",
        "memory_gib":            24,
        "memory_type":           "GDDR6",
        "memory_bandwidth_gb_s": 600,
        "compute_capability":    "8.6",
        "dense_tflops":          {"fp32": 31.2, "tf32": 62.5, "fp16": 125, "bf16": 125,
                                  "fp8": None, "int8": 250, "fp4": None},
        "interconnect":          "PCIe Gen4 x16 64 GB/s (no NVLink)",
        "sources": [
            "https://www.nvidia.com/en-us/data-center/products/a10-gpu/ (A10 spec table: 'BFLOAT16 Tensor Core 125 "
            "TF | 250 TF*')",
            "lamonoai/gpumap nvidia/GPU.md @a2dfba25de6b207b939fdd2233aeab297035f1af (A10: 24GB GDDR6, 600 GB/s, "
            "FP32 31.2, TF32 62.5/125, FP16 (FP32 acc) 125/250, BF16 125/250, INT8 250/500, CC 8.6, PCI-Express "
            "4.0 x16, NVLink not supported)",
            "winston-zhang-orz/gpu-specs specs.md @a32fa524cdbbce4eb522b49196d5f7fb94f808b2 (A10: FP32 31.2, TF32 "
            "62.5 / 125 sparse, BF16 Tensor 125 / 250 sparse)",
        ],
        "notes":                 ("The non-AWS A10 (GA102). Dense = sparse/2. Data-center card, so FP16 with FP32 "
                                  "accumulate is full rate. No FP8. Not the same as the AWS A10G (see a10g). "
                                  "Sparse: FP16/BF16 250, INT8 500, TF32 125."),
    },
    {
        "id":                    "rtx-a6000",
        "name":                  "NVIDIA RTX A6000",
        "vendor":                "NVIDIA",
        "kind":                  "workstation-gpu",
        "memory_gib":            48,
        "memory_type":           "GDDR6",
        "memory_bandwidth_gb_s": 768,
        "compute_capability":    "8.6",
        "dense_tflops":          {"fp32": 38.7, "tf32": 77.4, "fp16": 154.8, "bf16": 154.8,
                                  "fp8": None, "int8": 309.7, "fp4": None},
        "interconnect":          "PCIe 4.0 x16; 2-way NVLink bridge",
        "sources": [
            "https://www.nvidia.com/content/PDF/nvidia-ampere-ga-102-gpu-architecture-whitepaper-v2.pdf (GA102 "
            "whitepaper, Table 3, RTX A6000: 'Peak FP16/BF16 Tensor TFLOPS with FP32 Accumulate 154.8/309.6', Peak "
            "TF32 Tensor 77.4, 'Peak INT8 Tensor TOPS 309.7/619.4', 'Memory Bandwidth 768 GB/sec')",
            "hahnyuan/LLM-Viewer hardwares/hardware_params.py @f307ca5a1102ddbfdee68cdedcada7d9c76cec2d ('the OPS "
            "= sparse OPS/2'; nvidia_A6000: bandwidth 768e9, FP16 309.677e12/2, INT8 309.7e12)",
            "lamonoai/gpumap nvidia/GPU.md @a2dfba25de6b207b939fdd2233aeab297035f1af (RTX A6000: 48GB GDDR6, 768 "
            "GB/s, FP32 38.7, TF32 77.4/155, CC 8.6, PCI-Express 4.0 x16, NVLink supported)",
            "https://huggingface.co/datasets/ohdoking/gpu_spec/blob/a0f1cdf/data/nvidia_gpu.csv (RTX A6000 FP32 "
            "38.71)",
        ],
        "notes":                 ("Professional card: FP16/BF16 with FP32 accumulate is NOT halved (unlike "
                                  "GeForce). FP16-accumulate rate is the same 154.8 dense. No FP8. Sparse: "
                                  "FP16/BF16 309.6, INT8 619.4."),
    },
    {
        "id":                    "rtx-6000-ada",
        "name":                  "NVIDIA RTX 6000 Ada Generation",
        "vendor":                "NVIDIA",
        "kind":                  "workstation-gpu",
        "memory_gib":            48,
        "memory_type":           "GDDR6",
        "memory_bandwidth_gb_s": 960,
        "compute_capability":    "8.9",
        "dense_tflops":          {"fp32": 91.1, "tf32": 182, "fp16": 364, "bf16": 364,
                                  "fp8": 728, "int8": 728, "fp4": None},
        "interconnect":          "PCIe 4.0 x16 (no NVLink)",
        "sources": [
            "lamonoai/gpumap nvidia/GPU.md @a2dfba25de6b207b939fdd2233aeab297035f1af (RTX 6000 Ada: 48GB GDDR6, "
            "960 GB/s, FP32 91.1, TF32 182/364, FP16 364/728, FP8 728/1457, INT8 728/1,457, CC 8.9, PCI-Express "
            "4.0 x16, NVLink not supported)",
            "VladislavDuma/gpu_specs README.md @d477064e02ab53956c90d9701cccd9099ff4e5e9 (RTX 6000 Ada: FP32 91.1, "
            "TF32 182/364*, BF16 Tensor 364/728*, FP8 728/1457*, 960 GB/s; * with sparsity)",
            "https://www.grafikkarten.com/de/news/nvidia-rtx-6000-grafikkarte-der-ada-generation (RTX 6000: "
            "'Rechenleistung (FP32) 91,1 TFLOPS', '384 Bit / 960 GByte/s')",
            "https://huggingface.co/datasets/ohdoking/gpu_spec/blob/a0f1cdf/data/nvidia_gpu.csv (RTX 6000 Ada FP32 "
            "91.1)",
        ],
        "notes":                 ("Professional card: FP16/BF16 and FP8 with FP32 accumulate at full rate. "
                                  "NVIDIA's headline 'Tensor performance 1,457 TFLOPS' is FP8 with sparsity (dense "
                                  "728; Ada whitepaper prints 728.5/1457). Sparse: FP16/BF16 728, FP8/INT8 1457. "
                                  "No FP4."),
    },
    {
        "id":                    "rtx-5090",
        "name":                  "NVIDIA GeForce RTX 5090",
        "vendor":                "NVIDIA",
        "kind":                  "consumer-gpu",
        "memory_gib":            32,
        "memory_type":           "GDDR7",
        "memory_bandwidth_gb_s": 1792,
        "compute_capability":    "12.0",
        "dense_tflops":          {"fp32": 104.8, "tf32": 105, "fp16": 209.5, "bf16": 209.5,
                                  "fp8": 419, "int8": 838, "fp4": 1676},
        "interconnect":          "PCIe 5.0 x16 (no NVLink)",
        "sources": [
            "https://images.nvidia.com/aem-dam/Solutions/geforce/blackwell/nvidia-rtx-blackwell-gpu-architecture.pdf "
            "(RTX Blackwell GPU Architecture whitepaper, Appendix A Table 3 'GeForce RTX 5090 vs GeForce RTX 4090 "
            "vs GeForce RTX 3090 Specs': BF16 Tensor with FP32 accumulate 209.5/419; FP8 with FP32 accumulate "
            "419/838 (FP16 accumulate 838); 'Peak FP4 Tensor TFLOPS with FP32 Accumulate (FP4 AI TOPS): 1676/3352' "
            "(second number uses sparsity); boost 2407 MHz, 170 SMs)",
            "lamonoai/gpumap nvidia/GPU.md @a2dfba25de6b207b939fdd2233aeab297035f1af (RTX 5090: 32GB GDDR7, 1,792 "
            "GB/s, FP32 105, TF32 105/210, INT8 838/1,676, PCI-Express 5.0 x16, NVLink not supported; its 'Compute "
            "Capability 10.1' is wrong)",
            "VladislavDuma/gpu_specs README.md @d477064e02ab53956c90d9701cccd9099ff4e5e9 (RTX 5090 FP32 104.8 "
            "TFLOPS, 1792 GB/s)",
            "https://developer.nvidia.com/cuda-gpus (GeForce RTX 5090: compute capability 12.0)",
        ],
        "notes":                 ("GeForce: FP16/BF16 and FP8 values are FP32-accumulate (half rate). "
                                  "FP16-accumulate: FP16 419 dense, FP8 838 dense. FP4 1676 is FP32-accumulate and "
                                  "NOT halved (the only FP4 row in the whitepaper); NVIDIA's '3352 AI TOPS' is FP4 "
                                  "sparse. TF32 105 is gpumap's rounded figure. Sparse: BF16 419, FP8 838, INT8 "
                                  "1676, FP4 3352."),
    },
    {
        "id":                    "rtx-4080",
        "name":                  "NVIDIA GeForce RTX 4080 16GB",
        "vendor":                "NVIDIA",
        "kind":                  "consumer-gpu",
        "memory_gib":            16,
        "memory_type":           "GDDR6X",
        "memory_bandwidth_gb_s": 716.8,
        "compute_capability":    "8.9",
        "dense_tflops":          {"fp32": 48.7, "tf32": 49, "fp16": 97.4, "bf16": 97.4,
                                  "fp8": None, "int8": 390, "fp4": None},
        "interconnect":          "PCIe 4.0 x16 (no NVLink)",
        "sources": [
            "lamonoai/gpumap nvidia/GPU.md @a2dfba25de6b207b939fdd2233aeab297035f1af (GeForce RTX4080: 16GB "
            "GDDR6X, 256-bit, 717 GB/s, FP32 49, TF32 49/97, FP16 (FP16 acc) 195/390, FP16 (FP32 acc) 97/195, BF16 "
            "(FP32 acc) 97/195, FP8 390/780, INT8 390/780, CC 8.9, PCI-Express 4.0 x16)",
            "https://db.thegpu.guru/card/RTX%204080 (256-bit GDDR6X at 22.4 GHz effective -> 716.8 GB/s; compute "
            "capability 8.9)",
            "VladislavDuma/gpu_specs README.md @d477064e02ab53956c90d9701cccd9099ff4e5e9 (RTX 4080: FP32 48.7, 716 "
            "GB/s, INT8 Tensor 390 / 780*)",
            "https://huggingface.co/datasets/ohdoking/gpu_spec/blob/a0f1cdf/data/nvidia_gpu.csv (GeForce RTX 4080 "
            "FP32 48.74)",
        ],
        "notes":                 ("GeForce: fp16/bf16 are FP32-accumulate (half rate); FP16-accumulate is 195 "
                                  "dense (gpumap). fp8 left null: the only sourced FP8 figure (gpumap 390 dense) "
                                  "matches the FP16-accumulate rate, and no source in the corpora states the FP8 "
                                  "FP32-accumulate rate (by analogy with the RTX 4090 it would be half, ~195, "
                                  "unsourced). Ada whitepaper figures for this card not found in corpora; gpumap "
                                  "rounds. Sparse: BF16 195, INT8 780."),
    },
    {
        "id":                    "mi325x",
        "name":                  "AMD Instinct MI325X",
        "vendor":                "AMD",
        "kind":                  "datacenter-gpu",
        "memory_gib":            256,
        "memory_type":           "HBM3e",
        "memory_bandwidth_gb_s": 6000,
        "compute_capability":    None,
        "dense_tflops":          {"fp32": 163.4, "tf32": 653.7, "fp16": 1307.4, "bf16": 1307.4,
                                  "fp8": 2614.9, "int8": 2614.9, "fp4": None},
        "interconnect":          "AMD Infinity Fabric: 7 links (8-GPU ring/mesh platform); PCIe Gen5 x16",
        "sources": [
            "https://awesomeagents.ai/hardware/amd-mi325x (key specifications: 256GB HBM3e, 6,000 GB/s, FP8 "
            "2,614.9 TFLOPS, FP8 with sparsity 5,229.8, FP16/BF16 1,307.4, TF32 653.7, FP32 163.4)",
            "https://www.svethardware.cz/amd-predstavilo-instinct-mi325x-s-256gb-pameti-hbm3e-slibuje-i-vykonnejsi-mi355x/61224 "
            "(CDNA 3, same 304 CU / 2100 MHz as MI300X; 2.61 PFLOPS FP8, 1.3 PFLOPS FP16, 2.6 POPS INT8; 256 GB "
            "HBM3E, 6 TB/s; PCIe 5.0 x16; 1000 W)",
            "https://wiaix.com/amd-instincttm-mi325x-accelerators ('6 TB/s of peak memory bandwidth', 'PCIe Gen 5 "
            "interface with 16 lanes', 'Seven Infinity Fabric links ensuring full connectivity between eight GPUs')",
        ],
        "notes":                 ("Same CDNA3 compute as MI300X; memory upgraded to 256 GB HBM3E at 6 TB/s. INT8 "
                                  "dense 2614.9 by AMD's MI300-series equality with FP8 (svethardware: 2.6 POPS). "
                                  "FP8 is FNUZ. Sparse: FP16/BF16 2614.9, FP8/INT8 5229.8. No FP4."),
    },
    {
        "id":                    "mi250x",
        "name":                  "AMD Instinct MI250X",
        "vendor":                "AMD",
        "kind":                  "datacenter-gpu",
        "memory_gib":            128,
        "memory_type":           "HBM2e",
        "memory_bandwidth_gb_s": 3200,
        "compute_capability":    None,
        "dense_tflops":          {"fp32": 47.9, "tf32": None, "fp16": 383.0, "bf16": 383.0,
                                  "fp8": None, "int8": 383.0, "fp4": None},
        "interconnect":          "AMD Infinity Fabric: 8 links (OAM module)",
        "sources": [
            "https://zexron.com/amd-mi250-x-aldebaran-as-mcm-with-up-to-479-teraflop-s-and-560-watt-tdp (AMD "
            "Instinct MI200 launch spec table: 'AMD Instinct MI250x: 220 CU, 14,080 SPs, FP64|FP32 Vector (Peak) "
            "up to 47.9 TF, FP64|FP32 Matrix up to 95.7 TF, FP16|bf16 up to 383.0 TF, INT4|INT8 up to 383.0 TOPS, "
            "128GB HBM2e ECC, 3.2 TB/sec, OCP Accelerator Module'; MI250 has six instead of eight Infinity links)",
            "https://www.tomshardware.com/news/amd-radeon-instinct-mi250x-110-cus-128gb-hbm2e-500w-tdp (383 TFLOPS "
            "FP16/BF16, 47.9 TFLOPS FP64, 128GB HBM2E)",
            "https://meterpreter.org/amd-instinct-mi250x-computing-card-fp64-performance-has-been-greatly-improved-7nm-process-is-still-used "
            "(FP32/FP64 47.9 TFLOPS, FP16/BF16 383 TFLOPS, 128GB HBM2E)",
        ],
        "notes":                 ("CDNA2: no TF32 and no FP8 (null); no structured sparsity, so all figures are "
                                  "dense. fp32 is the vector rate; FP32 matrix (packed) is 95.7. The package holds "
                                  "two GCDs that software sees as two devices of 64 GB and half the bandwidth and "
                                  "compute each. AMD's datasheet gives the bandwidth more precisely as 3.2768 TB/s "
                                  "(not re-verified here; 3.2 TB/s used as the cited table states)."),
    },
    {
        "id":                    "m4-max",
        "name":                  "Apple M4 Max (16-core CPU / 40-core GPU)",
        "vendor":                "Apple",
        "kind":                  "unified-memory",
        "memory_gib":            128,
        "memory_type":           "LPDDR5X unified",
        "memory_bandwidth_gb_s": 546,
        "compute_capability":    None,
        "dense_tflops":          {"fp32": None, "tf32": None, "fp16": None, "bf16": None,
                                  "fp8": None, "int8": None, "fp4": None},
        "interconnect":          None,
        "sources": [
            "https://www.macrumors.com/2024/10/30/apple-announces-m4-max-chip/ ('M4 Max supports up to 128GB of "
            "unified memory with up to 546GB/s of memory bandwidth')",
            "https://macmegasite.com/2024/10/30/m4-max-chip-has-16-core-cpu-40-core-gpu-and-35-increase-in-memory-bandwidth "
            "(M4 Max 16-core CPU, 40-core GPU, 546 GB/s)",
            "https://www.notebookcheck.net/Apple-M4-Max-official-with-incremental-upgrades-over-the-M3-Max.911098.0.html "
            "(14-core CPU/32-core GPU and 16-core/40-core variants; up to 128 GB, 546 GB/s)",
        ],
        "notes":                 ("Top configuration (16-core CPU / 40-core GPU). The 14-core CPU / 32-core GPU M4 "
                                  "Max has 410 GB/s and lower memory options. Apple publishes no GPU TFLOPS or "
                                  "matrix rates for M4 Max; all rate fields null. The LPDDR5X memory type has no "
                                  "followable source here (Apple states only 'unified memory')."),
    },
    {
        "id":                    "m3-ultra",
        "name":                  "Apple M3 Ultra (32-core CPU / 80-core GPU)",
        "vendor":                "Apple",
        "kind":                  "unified-memory",
        "memory_gib":            512,
        "memory_type":           "LPDDR5 unified",
        "memory_bandwidth_gb_s": 819,
        "compute_capability":    None,
        "dense_tflops":          {"fp32": None, "tf32": None, "fp16": None, "bf16": None,
                                  "fp8": None, "int8": None, "fp4": None},
        "interconnect":          None,
        "sources": [
            "https://techpowerup.com/news-tags/Mac%20Studio ('up to a whopping 512 GB of unified memory, with "
            "memory bandwidth of 819 GB/s')",
            "https://www.xda-developers.com/apples-mac-studio-m3-ultra/ ('up to 512GB unified memory')",
            "https://inforeader.com/i/?a=reader&rid=67c916097fa95&search=%23m3%2Bultra (Ars Technica table: M3 "
            "Ultra 24/8 cores, 80 GPU cores, 128/256/512GB, 819.2GB/s; 60-core GPU variant 96/256GB)",
            "https://www.tekspecz.com/new-blog/2025/7/23/hardware-breakdown-presents-apples-mac-studio (LPDDR5 "
            "unified memory, 96GB base, up to 512GB)",
        ],
        "notes":                 ("Max configuration (80-core GPU, 512 GB); bandwidth is 819 GB/s (819.2) for all "
                                  "M3 Ultra configurations. Apple publishes no GPU TFLOPS or matrix rates; all "
                                  "rate fields null."),
    },
    {
        "id":                    "epyc-9654",
        "name":                  "AMD EPYC 9654 (1 socket, 12x DDR5-4800)",
        "vendor":                "AMD",
        "kind":                  "cpu",
        "memory_gib":            768,
        "memory_type":           "DDR5-4800 RDIMM (12 channels)",
        "memory_bandwidth_gb_s": 460.8,
        "compute_capability":    None,
        "dense_tflops":          {"fp32": None, "tf32": None, "fp16": None, "bf16": None,
                                  "fp8": None, "int8": None, "fp4": None},
        "interconnect":          "PCIe 5.0 x128 lanes per socket",
        "sources": [
            "https://www.hpctech.co.jp/product/amd-epyc-9004-series/ (AMD EPYC 9004 Series spec table, EPYC 9654: "
            "96 cores / 192 threads, 2.40 GHz base, 3.70 GHz boost, 384 MB L3, 12 DDR5 channels, max DDR5-4800 "
            "(1DPC), 128 PCIe Gen5 lanes, 360 W; series notes 'AVX-512 (256b data path), BFLOAT16, VNNI', up to "
            "6TB per socket)",
            "https://www.tomshardware.com/uk/news/amd-confirms-12-ddr5-memory-channels-on-genoa ('Twelve 64-bit "
            "DDR5 memory channels would theoretically increase the memory bandwidth available to Genoa processors "
            "to a whopping 460.8 GB/s per socket')",
        ],
        "notes":                 ("memory_gib is an EXAMPLE configuration, not a chip property: 12 x 64 GB RDIMMs, "
                                  "one DIMM per channel (768 GB); the platform supports up to 6 TB per socket. "
                                  "Bandwidth is the theoretical peak per socket (channels x MT/s x 8 bytes: 12 x "
                                  "4800 MT/s x 8 bytes = 460.8 GB/s); sustained STREAM bandwidth is lower. Single "
                                  "socket; a 2-socket server doubles capacity and aggregate bandwidth. No "
                                  "vendor-published FP32/FP16/BF16 FLOPS figure was found, so all rate fields are "
                                  "null (Zen 4 executes AVX-512 on a 256-bit data path, with AVX512-BF16 and VNNI)."),
    },
    {
        "id":                    "xeon-8480plus",
        "name":                  "Intel Xeon Platinum 8480+ (1 socket, 8x DDR5-4800)",
        "vendor":                "Intel",
        "kind":                  "cpu",
        "memory_gib":            512,
        "memory_type":           "DDR5-4800 RDIMM (8 channels)",
        "memory_bandwidth_gb_s": 307.2,
        "compute_capability":    None,
        "dense_tflops":          {"fp32": None, "tf32": None, "fp16": None, "bf16": None,
                                  "fp8": None, "int8": None, "fp4": None},
        "interconnect":          "PCIe 5.0 (80 lanes); UPI 4 x24 at 16 GT/s",
        "sources": [
            "https://www.servethehome.com/intel-xeon-max-9480-deep-dive-intel-has-64gb-hbm2e-onboard-like-a-gpu-or-ai-accelerator/3/ "
            "(Xeon Platinum 8480+: 'four 14-core tiles each with two channels DDR5 memory', 56 cores and 8 "
            "channels of DDR5)",
            "https://infohub.delltechnologies.com/en-us/p/memory-bandwidth-for-next-gen-poweredge-servers-significantly-improved-with-sapphire-rapids-architecture/ "
            "(4th Gen Xeon: eight DIMMs per CPU, '4800MTS (1DPC)/4400MTS(2DPC)')",
            "https://gamersinfotech.com/2021/04/08/intel-sapphire-rapids-to-feature-up-to-56-cores-350w-tdp-and-64gb-of-hbm2-memory-videocardz-com/ "
            "(Sapphire Rapids platform slide: DDR5 up to 4800 at 1 DIMM per channel, up to 80 PCI Express lanes, "
            "AMX Int8/BFloat16)",
        ],
        "notes":                 ("memory_gib is an EXAMPLE configuration, not a chip property: 8 x 64 GB RDIMMs "
                                  "at one DIMM per channel (512 GB); more capacity is possible (2DPC drops the "
                                  "speed to DDR5-4400). Bandwidth is the theoretical peak per socket (channels x "
                                  "MT/s x 8 bytes: 8 x 4800 MT/s x 8 bytes = 307.2 GB/s); single socket. Intel "
                                  "does not publish a peak FP32/BF16/INT8 FLOPS figure for this SKU (AMX and "
                                  "AVX-512 peaks depend on core count and AMX/AVX frequency licences), so all rate "
                                  "fields are null. The UPI figure in interconnect (4 x24 links at 16 GT/s) has no "
                                  "followable source here."),
    },
]


# The memory a program can allocate on each device: what CUDA (or ROCm) reports as the device's total, which
# PyTorch prints as "total capacity" in its out-of-memory message and vLLM multiplies by
# --gpu-memory-utilization. It is less than the label: the driver reserves some, and ECC (on by default on
# datacenter cards) takes a share of GDDR parts. It varies a little with driver version, ECC mode and OS, so
# each value is one report, quoted with its source; PyTorch prints GiB to two decimals (within 5 MiB).
# On Apple silicon it is Metal's recommendedMaxWorkingSetSize, the default share of unified memory the GPU
# may use (https://developer.apple.com/documentation/metal/mtldevice/recommendedmaxworkingsetsize), which
# depends on the macOS version. Devices without an entry are counted at their label, and say so.
ALLOCATABLE = {
    "h100-sxm": {"gib": 79.11, "source": "https://github.com/vllm-project/vllm/issues/27508",
                 "quote": "GPU 0 has a total capacity of 79.11 GiB (nvidia-smi in the same report: "
                          "NVIDIA H100 80GB HBM3, 81559MiB, driver 535.247.01)"},
    "h100-nvl": {"bytes": 99961274368, "source": "https://github.com/fastfetch-cli/fastfetch/issues/1658",
                 "quote": "\"dedicated\": {\"total\": 99961274368 ... \"name\": \"NVIDIA H100 NVL\" (driver 570.86.15)"},
    "h200-sxm": {"bytes": 150109880320, "source": "gpu_runs/20261130T230810Z-gpu-decode-batched.json",
                 "quote": "our own measurement: torch.cuda.get_device_properties(0).total_memory on an NVIDIA "
                          "H200, driver 580.159.04"},
    "b200": {"gib": 178.35, "source": "https://github.com/pytorch/ao/pull/4002",
             "quote": "=== Device 0: NVIDIA B200 === ... Total Global Memory: 178.35 GB (printed as GB; the value "
                      "is in GiB)"},
    "a100-sxm-80gb": {"gib": 79.35, "source": "https://github.com/Instruction-Tuning-with-GPT-4/GPT-4-LLM/issues/16",
                      "quote": "(GPU 0; 79.35 GiB total capacity; ...) on 2*A100(80G); the form factor is not "
                               "stated, and both A100 80GB parts carry the same memory"},
    "a100-pcie-80gb": {"gib": 79.35, "source": "https://github.com/Instruction-Tuning-with-GPT-4/GPT-4-LLM/issues/16",
                       "quote": "(GPU 0; 79.35 GiB total capacity; ...) on 2*A100(80G); the form factor is not "
                                "stated, and both A100 80GB parts carry the same memory"},
    "a100-40gb": {"bytes": 42298834944, "source": "https://github.com/bottlerocket-os/bottlerocket/pull/3873",
                  "quote": "Device 2: \"NVIDIA A100-SXM4-40GB\" ... Total amount of global memory: 40339 MBytes "
                           "(42298834944 bytes) (deviceQuery)"},
    "l40s": {"gib": 44.53, "source": "https://github.com/Wan-Video/Wan2.1/issues/205",
             "quote": "GPU:L40S 48GB ... GPU 0 has a total capacity of 44.53 GiB (ECC on, the default)"},
    "l4": {"gib": 22.03, "source": "https://github.com/ArcInstitute/evo2/issues/190",
           "quote": "GPU 0 has a total capacity of 22.03 GiB ... Is a L4 GPU not enough"},
    "a10g": {"gib": 22.49, "source": "https://github.com/AUTOMATIC1111/stable-diffusion-webui/issues/1259",
             "quote": "I'm using an A10G with 24 GB VRAM ... (GPU 0; 22.49 GiB total capacity; ...)"},
    "a10": {"gib": 21.99, "source": "https://github.com/zai-org/CogVLM/issues/236",
            "quote": "lambdalabs GPUs instances a10 and h100 ... GPU 0 has a total capacty of 21.99 GiB (ECC on; "
                     "the H100 of that report has 79 GiB, so this is the A10)"},
    "rtx-4090": {"gib": 23.68, "source": "https://github.com/zai-org/CogVideo/issues/36",
                 "quote": "(GPU 0; 23.68 GiB total capacity; ...) on an RTX 4090"},
    "rtx-3090": {"gib": 23.68, "source": "https://github.com/vllm-project/vllm/issues/16343",
                 "quote": "GPU 0 has a total capacity of 23.68 GiB (collect_env: GPU 0: NVIDIA GeForce RTX 3090, "
                          "driver 550.120)"},
    "rtx-5090": {"gib": 31.37, "source": "https://github.com/Wan-Video/Wan2.1/issues/465",
                 "quote": "a 5090 with 32GB ... GPU 0 has a total capacity of 31.37 GiB"},
    "rtx-4080": {"gib": 15.99, "source": "https://github.com/aigc-apps/sd-webui-EasyPhoto/issues/281",
                 "quote": "(GPU 0; 15.99 GiB total capacity; ...) on an RTX 4080, under Windows"},
    "t4": {"gib": 14.75, "source": "https://github.com/hpcaitech/Open-Sora/issues/697",
           "quote": "Google Colab with T4 GPU ... GPU 0 has a total capacity of 14.75 GiB (ECC on)"},
    "v100-sxm2-32gb": {"gib": 31.74, "source": "https://github.com/liucongg/ChatGLM-Finetuning/issues/73",
                       "quote": "V100 32GB ... (GPU 0; 31.74 GiB total capacity; ...); the form factor is not stated"},
    "rtx-a6000": {"gib": 47.54, "source": "https://github.com/google-research/semivl/issues/18",
                  "quote": "2 x A6000 ... (GPU 0; 47.54 GiB total capacity; ...)"},
    "rtx-6000-ada": {"gib": 44.43, "source": "https://github.com/DINGYANB/MTVCrafter/issues/21",
                     "quote": "GPU 0 has a total capacity of 44.43 GiB (nvidia-smi in the same report: NVIDIA RTX "
                              "6000 Ada Generation, 46068MiB, ECC on)"},
    "mi300x": {"bytes": 201310208 * 1024, "source": "https://github.com/ROCm/rocm-examples/issues/187",
               "quote": "rocminfo on an MI300X system: Pool 1 Segment: GLOBAL; FLAGS: COARSE GRAINED Size: "
                        "201310208(0xbffc000) KB"},
    "mi250x": {"bytes": 2 * 67092480 * 1024, "source": "https://github.com/ROCm/rocm_smi_lib/issues/160",
               "quote": "rocminfo, Marketing Name AMD Instinct MI250X/MI250: Segment: GLOBAL; FLAGS: FINE GRAINED "
                        "Size: 67092480(0x3ffc000) KB, for each of the package's two dies, which programs see as "
                        "two devices"},
    "m3-max": {"gib": 107.52, "source": "https://github.com/antirez/ds4/pull/893",
               "quote": "recommendedMaxWorkingSetSize: 107.52 GiB # stock, on a 128 GB Apple M5 Max under macOS 26; "
                        "two 128 GB machines of different chip generations agree within 0.02 GiB"},
    "m4-max": {"gib": 107.52, "source": "https://github.com/antirez/ds4/pull/893",
               "quote": "recommendedMaxWorkingSetSize: 107.52 GiB # stock, on a 128 GB Apple M5 Max under macOS 26; "
                        "two 128 GB machines of different chip generations agree within 0.02 GiB"},
}
