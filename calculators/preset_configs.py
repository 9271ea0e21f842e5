"""Published Hugging Face config.json files of popular open models, verbatim.

Each entry keeps the config as published (read from a stored public copy named
in config_source) and, where it was published, the checkpoint's tensor bytes
(`metadata.total_size` of model.safetensors.index.json) with its source; the
tests check the calculators against those sizes. `presets.py` builds the
Architecture objects from these configs through the same importer users get.
"""

PRESET_CONFIGS = {'llama-2-7b': {'name': 'Llama 2 7B',
                'hf_repo': 'meta-llama/Llama-2-7b-hf',
                'config_source': 'GitHub Girafboy/pytorchKQI, example/evaluate.py @ commit '
                                 '963269026663521e774249c3828f9e000bb2a405 (Python dict literal of the HF '
                                 'config.json; None/True/False converted to JSON null/true/false). Identical JSON '
                                 "(same keys/values) also quoted verbatim in a blog post 'Purpose of LLM Files' "
                                 "(2024-01-03, Chinese, by 'shake'; code-index file id 5842727729) that shows "
                                 'config.json, generation_config.json and model.safetensors.index.json of '
                                 'https://huggingface.co/meta-llama/Llama-2-7b-hf/tree/main.',
                'checkpoint_total_size': 13476839424,
                'checkpoint_dtype': 'float16',
                'checkpoint_source': "Blog post 'Purpose of LLM Files' (code-index file id 5842727729, repo not "
                                     'named by the index) quoting meta-llama/Llama-2-7b-hf '
                                     'model.safetensors.index.json: {"metadata": {"total_size": 13476839424}} (2 '
                                     'shards model-0000{1,2}-of-00002.safetensors); the same value is quoted there '
                                     'for pytorch_model.bin.index.json. A second independent blog copy (file id '
                                     '5792390170) shows the same number.',
                'notes': 'torch_dtype float16, transformers_version 4.31.0.dev0. total_size exceeds 2*num_params '
                         '(2*6,738,415,616 = 13,476,831,232) by exactly 8,192 bytes = 32 layers x 64 x fp32 '
                         'rotary_emb.inv_freq buffers stored in the original HF Llama-2 checkpoint (my arithmetic, '
                         'not read). Revision of config not pinned; later transformers versions print extra '
                         'defaulted keys (attention_bias, rope_theta, head_dim...) but those are not in the file.',
                'config': {'_name_or_path': 'meta-llama/Llama-2-7b-hf',
                           'architectures': ['LlamaForCausalLM'],
                           'bos_token_id': 1,
                           'eos_token_id': 2,
                           'hidden_act': 'silu',
                           'hidden_size': 4096,
                           'initializer_range': 0.02,
                           'intermediate_size': 11008,
                           'max_position_embeddings': 4096,
                           'model_type': 'llama',
                           'num_attention_heads': 32,
                           'num_hidden_layers': 32,
                           'num_key_value_heads': 32,
                           'pretraining_tp': 1,
                           'rms_norm_eps': 1e-05,
                           'rope_scaling': None,
                           'tie_word_embeddings': False,
                           'torch_dtype': 'float16',
                           'transformers_version': '4.31.0.dev0',
                           'use_cache': True,
                           'vocab_size': 32000}},
 'llama-2-13b': {'name': 'Llama 2 13B',
                 'hf_repo': 'meta-llama/Llama-2-13b-hf',
                 'config_source': 'GitHub Girafboy/pytorchKQI, example/evaluate.py @ commit '
                                  '963269026663521e774249c3828f9e000bb2a405 (Python dict literal of the HF '
                                  'config.json; None/True/False converted to JSON null/true/false). Same JSON quoted '
                                  "verbatim (JSON syntax) under heading 'LLaMA' in code-index file id 9890059119, "
                                  'and (minus rope_scaling/tie_word_embeddings/use_cache) as a test fixture in an '
                                  'llm-engine test (file id 22156638872).',
                 'checkpoint_total_size': None,
                 'checkpoint_dtype': 'float16',
                 'checkpoint_source': None,
                 'notes': 'Config: torch_dtype float16, transformers_version 4.32.0.dev0 (note 13b/70b say '
                          '4.32.0.dev0 while 7b says 4.31.0.dev0). Could not find the verbatim '
                          'model.safetensors.index.json total_size for Llama-2-13b-hf (searched 26031728640 = '
                          '2*13,015,864,320 params and 26031738880 = that + 40x64x4 inv_freq bytes: no hits). '
                          "mlc-llm's preset copy (python/mlc_llm/model/model_preset.py) has pretraining_tp 2 and "
                          'max_position_embeddings 2048 - it is edited, do not use.',
                 'config': {'_name_or_path': 'meta-llama/Llama-2-13b-hf',
                            'architectures': ['LlamaForCausalLM'],
                            'bos_token_id': 1,
                            'eos_token_id': 2,
                            'hidden_act': 'silu',
                            'hidden_size': 5120,
                            'initializer_range': 0.02,
                            'intermediate_size': 13824,
                            'max_position_embeddings': 4096,
                            'model_type': 'llama',
                            'num_attention_heads': 40,
                            'num_hidden_layers': 40,
                            'num_key_value_heads': 40,
                            'pretraining_tp': 1,
                            'rms_norm_eps': 1e-05,
                            'rope_scaling': None,
                            'tie_word_embeddings': False,
                            'torch_dtype': 'float16',
                            'transformers_version': '4.32.0.dev0',
                            'use_cache': True,
                            'vocab_size': 32000}},
 'llama-2-70b': {'name': 'Llama 2 70B',
                 'hf_repo': 'meta-llama/Llama-2-70b-hf',
                 'config_source': 'GitHub Girafboy/pytorchKQI, example/evaluate.py @ commit '
                                  '963269026663521e774249c3828f9e000bb2a405 (Python dict literal of the HF '
                                  'config.json; None/True/False converted to JSON null/true/false). Same values '
                                  '(minus rope_scaling/tie_word_embeddings/use_cache keys) in an llm-engine test '
                                  'fixture (code-index file id 22156638872).',
                 'checkpoint_total_size': None,
                 'checkpoint_dtype': 'float16',
                 'checkpoint_source': None,
                 'notes': 'GQA: num_key_value_heads 8. HF repo sha ddf3d4193d28a593c46150fd7c03f8d5965e0c9f '
                          '(last_modified 2024-03-05) per a stored Hub model-info dump; config revision not '
                          'otherwise pinned. total_size not found verbatim.',
                 'config': {'_name_or_path': 'meta-llama/Llama-2-70b-hf',
                            'architectures': ['LlamaForCausalLM'],
                            'bos_token_id': 1,
                            'eos_token_id': 2,
                            'hidden_act': 'silu',
                            'hidden_size': 8192,
                            'initializer_range': 0.02,
                            'intermediate_size': 28672,
                            'max_position_embeddings': 4096,
                            'model_type': 'llama',
                            'num_attention_heads': 64,
                            'num_hidden_layers': 80,
                            'num_key_value_heads': 8,
                            'pretraining_tp': 1,
                            'rms_norm_eps': 1e-05,
                            'rope_scaling': None,
                            'tie_word_embeddings': False,
                            'torch_dtype': 'float16',
                            'transformers_version': '4.32.0.dev0',
                            'use_cache': True,
                            'vocab_size': 32000}},
 'llama-3.1-8b': {'name': 'Llama 3.1 8B',
                  'hf_repo': 'meta-llama/Llama-3.1-8B',
                  'config_source': 'Transcribed key-for-key from identical Python-dict copies of the Llama-3.1-8B '
                                   'config.json found in public code (code-index file ids 20731892139 '
                                   "'llama_3_1_cfg' in an HF benchmark module; 20086630943 'llama_3_1_config'; "
                                   "13056241867 'LLAMA_3_1_8B_CONFIG' in a TensorRT-LLM-based test; NVIDIA "
                                   'TensorRT-LLM debugger test 641260482 has the same dict with num_hidden_layers '
                                   'edited to 2). All agree on every key/value (key order as in those copies). A '
                                   'JSON copy (keys reordered) with the same values: file id 58092612973.',
                  'checkpoint_total_size': 16060522496,
                  'checkpoint_dtype': 'bfloat16',
                  'checkpoint_source': "Hugging Face Hub docs page 'Model repository files' (code-index file id "
                                       '47865502146; hub-docs) shows a model.safetensors.index.json with '
                                       '{"metadata": {"total_size": 16060522496}} and 4 shards '
                                       '(model-0000N-of-00004) in a section illustrated with Llama '
                                       '3.1-8B(-Instruct). Also a notebook table (file id 61311142188) lists base '
                                       'meta-llama/Llama-3.1-8B with 16060522496. Equals 2 x 8,030,261,248 params.',
                  'notes': 'Repo was renamed from meta-llama/Meta-Llama-3.1-8B. Base model has eos_token_id 128001 '
                           "(Instruct has [128001,128008,128009]); mlc-llm's 'llama3_1_8b' preset uses the Instruct "
                           'eos list and transformers 4.42.3, so it is not the base file. Docs-page total_size is '
                           'not explicitly labelled base vs Instruct, but the two checkpoints have identical tensor '
                           'shapes and dtype.',
                  'config': {'architectures': ['LlamaForCausalLM'],
                             'attention_bias': False,
                             'attention_dropout': 0.0,
                             'bos_token_id': 128000,
                             'eos_token_id': 128001,
                             'hidden_act': 'silu',
                             'hidden_size': 4096,
                             'initializer_range': 0.02,
                             'intermediate_size': 14336,
                             'max_position_embeddings': 131072,
                             'mlp_bias': False,
                             'model_type': 'llama',
                             'num_attention_heads': 32,
                             'num_hidden_layers': 32,
                             'num_key_value_heads': 8,
                             'pretraining_tp': 1,
                             'rms_norm_eps': 1e-05,
                             'rope_scaling': {'factor': 8.0,
                                              'low_freq_factor': 1.0,
                                              'high_freq_factor': 4.0,
                                              'original_max_position_embeddings': 8192,
                                              'rope_type': 'llama3'},
                             'rope_theta': 500000.0,
                             'tie_word_embeddings': False,
                             'torch_dtype': 'bfloat16',
                             'transformers_version': '4.43.0.dev0',
                             'use_cache': True,
                             'vocab_size': 128256}},
 'llama-3.1-70b': {'name': 'Llama 3.1 70B',
                   'hf_repo': 'meta-llama/Llama-3.1-70B',
                   'config_source': 'ai-dynamo/aiconfigurator '
                                    'aic-core/src/aiconfigurator_core/model_configs/meta-llama--Meta-Llama-3.1-70B_config.json '
                                    '@ 095f58a51c4ca8e61b66ec108d86f223f8d559ce (file last changed in '
                                    '0b077da5e017cb8ceac1ad14e91eb6e26c40207a)',
                   'checkpoint_total_size': 141107412992,
                   'checkpoint_dtype': None,
                   'checkpoint_source': "Code-index file id 66815719643 (training-run report): 'Checkpoint "
                                        'meta-llama/Llama-3.1-70B@349b2ddb53ce8f2849a6c168a81980ab25258dac ... '
                                        "Checkpoint bytes 141107412992' (the same report family, file id "
                                        "66624129964, says 'index SHA256 2abe0910e237..., 权重 141107412992 bytes'). "
                                        'Also a book excerpt (file id 65976726305) quoting a 30-shard '
                                        'model.safetensors.index.json with total_size 141107412992, and a test '
                                        'fixture (70904478004) reading \'"total_size": 141107412992\' from a '
                                        'Llama-3.1-70B-Instruct index. Equals 2 x 70,553,706,496 params.',
                   'notes': 'aiconfigurator names it meta-llama/Meta-Llama-3.1-70B (old repo name of '
                            'meta-llama/Llama-3.1-70B). Vendored copy of HF config.json; transformers_version '
                            '4.43.0.dev0.',
                   'config': {'architectures': ['LlamaForCausalLM'],
                              'attention_bias': False,
                              'attention_dropout': 0.0,
                              'bos_token_id': 128000,
                              'eos_token_id': 128001,
                              'hidden_act': 'silu',
                              'hidden_size': 8192,
                              'initializer_range': 0.02,
                              'intermediate_size': 28672,
                              'max_position_embeddings': 131072,
                              'mlp_bias': False,
                              'model_type': 'llama',
                              'num_attention_heads': 64,
                              'num_hidden_layers': 80,
                              'num_key_value_heads': 8,
                              'pretraining_tp': 1,
                              'rms_norm_eps': 1e-05,
                              'rope_scaling': {'factor': 8.0,
                                               'low_freq_factor': 1.0,
                                               'high_freq_factor': 4.0,
                                               'original_max_position_embeddings': 8192,
                                               'rope_type': 'llama3'},
                              'rope_theta': 500000.0,
                              'tie_word_embeddings': False,
                              'torch_dtype': 'bfloat16',
                              'transformers_version': '4.43.0.dev0',
                              'use_cache': True,
                              'vocab_size': 128256}},
 'llama-3.1-405b': {'name': 'Llama 3.1 405B',
                    'hf_repo': 'meta-llama/Llama-3.1-405B',
                    'config_source': 'ai-dynamo/aiconfigurator '
                                     'aic-core/src/aiconfigurator_core/model_configs/meta-llama--Meta-Llama-3.1-405B_config.json '
                                     '@ 095f58a51c4ca8e61b66ec108d86f223f8d559ce (file last changed in '
                                     '0b077da5e017cb8ceac1ad14e91eb6e26c40207a)',
                    'checkpoint_total_size': None,
                    'checkpoint_dtype': None,
                    'checkpoint_source': None,
                    'notes': 'Named meta-llama/Meta-Llama-3.1-405B in aiconfigurator. Vendored copy of HF '
                             'config.json (transformers_version 4.42.3).',
                    'config': {'architectures': ['LlamaForCausalLM'],
                               'attention_bias': False,
                               'attention_dropout': 0.0,
                               'bos_token_id': 128000,
                               'eos_token_id': 128001,
                               'hidden_act': 'silu',
                               'hidden_size': 16384,
                               'initializer_range': 0.02,
                               'intermediate_size': 53248,
                               'max_position_embeddings': 131072,
                               'mlp_bias': False,
                               'model_type': 'llama',
                               'num_attention_heads': 128,
                               'num_hidden_layers': 126,
                               'num_key_value_heads': 8,
                               'pretraining_tp': 1,
                               'rms_norm_eps': 1e-05,
                               'rope_scaling': {'factor': 8.0,
                                                'low_freq_factor': 1.0,
                                                'high_freq_factor': 4.0,
                                                'original_max_position_embeddings': 8192,
                                                'rope_type': 'llama3'},
                               'rope_theta': 500000.0,
                               'tie_word_embeddings': False,
                               'torch_dtype': 'bfloat16',
                               'transformers_version': '4.42.3',
                               'use_cache': True,
                               'vocab_size': 128256}},
 'llama-3.2-1b': {'name': 'Llama 3.2 1B',
                  'hf_repo': 'meta-llama/Llama-3.2-1B',
                  'config_source': "Code-index file id 54039165147: a Python module docstring 'As a reference, This "
                                   "is the config.json of Llama-3.2-1B model' followed by the JSON (transcribed "
                                   'key-for-key, same order). Same values in a Megatron-Bridge test (file id '
                                   "20084523243) and a circuit-tracer test 'llama_3_2_config_dict' (file id "
                                   '12429801525, which adds a bogus _name_or_path). Instruct differs only in '
                                   'eos_token_id [128001,128008,128009] (cf. Girafboy/pytorchKQI example/evaluate.py '
                                   'Llama_3_2_1B_Instruct).',
                  'checkpoint_total_size': None,
                  'checkpoint_dtype': 'bfloat16',
                  'checkpoint_source': None,
                  'notes': 'Single model.safetensors (no index). Tied embeddings. head_dim 64 explicit. File size '
                           'includes the safetensors JSON header: 2471645608 - 2*1,235,814,400 params = 16,808 bytes '
                           '(my arithmetic).',
                  'config': {'architectures': ['LlamaForCausalLM'],
                             'attention_bias': False,
                             'attention_dropout': 0.0,
                             'bos_token_id': 128000,
                             'eos_token_id': 128001,
                             'head_dim': 64,
                             'hidden_act': 'silu',
                             'hidden_size': 2048,
                             'initializer_range': 0.02,
                             'intermediate_size': 8192,
                             'max_position_embeddings': 131072,
                             'mlp_bias': False,
                             'model_type': 'llama',
                             'num_attention_heads': 32,
                             'num_hidden_layers': 16,
                             'num_key_value_heads': 8,
                             'pretraining_tp': 1,
                             'rms_norm_eps': 1e-05,
                             'rope_scaling': {'factor': 32.0,
                                              'high_freq_factor': 4.0,
                                              'low_freq_factor': 1.0,
                                              'original_max_position_embeddings': 8192,
                                              'rope_type': 'llama3'},
                             'rope_theta': 500000.0,
                             'tie_word_embeddings': True,
                             'torch_dtype': 'bfloat16',
                             'transformers_version': '4.45.0.dev0',
                             'use_cache': True,
                             'vocab_size': 128256}},
 'llama-3.2-3b': {'name': 'Llama 3.2 3B',
                  'hf_repo': 'meta-llama/Llama-3.2-3B',
                  'config_source': 'Code-index file id 31715575223 (Rust test '
                                   '\'test_parse_and_validate_llama_3_2_3b\', inline JSON r#"{...}"#, transcribed '
                                   'key-for-key; eos_token_id 128001 = base model). Same values, labelled '
                                   "(apparently wrongly) 'meta-llama/Llama-3.2-3B-Instruct' in file id 46354830227; "
                                   'Instruct copy with eos [128001,128008,128009] in file id 70091422444 and '
                                   "mlc-ai/mlc-llm model_preset.py 'llama3_2_3b' @ 79d603f0.",
                  'checkpoint_total_size': 6425499648,
                  'checkpoint_dtype': 'bfloat16',
                  'checkpoint_source': 'PANDASANG1231/llama_3.2-3B-huggingface-shard0 model.safetensors.index.json @ '
                                       'fe83a2cc87d5fa4bddd44ee59f71e091631f87c2, metadata.total_size — a per-tensor '
                                       "RE-SHARDED copy of Llama-3.2-3B (not Meta's original index file).",
                  'notes': 'total_size not found verbatim from the index file (the value 6425499648 = 2 x '
                           "3,212,749,824 params appears in several logs/configs as 'weights' bytes, e.g. file ids "
                           '71323268184, 70882598160, but not as index metadata). Tied embeddings.',
                  'config': {'architectures': ['LlamaForCausalLM'],
                             'attention_bias': False,
                             'attention_dropout': 0.0,
                             'bos_token_id': 128000,
                             'eos_token_id': 128001,
                             'head_dim': 128,
                             'hidden_act': 'silu',
                             'hidden_size': 3072,
                             'initializer_range': 0.02,
                             'intermediate_size': 8192,
                             'max_position_embeddings': 131072,
                             'mlp_bias': False,
                             'model_type': 'llama',
                             'num_attention_heads': 24,
                             'num_hidden_layers': 28,
                             'num_key_value_heads': 8,
                             'pretraining_tp': 1,
                             'rms_norm_eps': 1e-05,
                             'rope_scaling': {'factor': 32.0,
                                              'high_freq_factor': 4.0,
                                              'low_freq_factor': 1.0,
                                              'original_max_position_embeddings': 8192,
                                              'rope_type': 'llama3'},
                             'rope_theta': 500000.0,
                             'tie_word_embeddings': True,
                             'torch_dtype': 'bfloat16',
                             'transformers_version': '4.45.0.dev0',
                             'use_cache': True,
                             'vocab_size': 128256}},
 'llama-3.3-70b-instruct': {'name': 'Llama 3.3 70B Instruct',
                            'hf_repo': 'meta-llama/Llama-3.3-70B-Instruct',
                            'config_source': 'ai-dynamo/aiconfigurator '
                                             'src/aiconfigurator/model_configs/meta-llama--Llama-3.3-70B-Instruct_config.json '
                                             '@ f577ab8432dfc9970fea27853a24861a6d3076cf',
                            'checkpoint_total_size': None,
                            'checkpoint_dtype': None,
                            'checkpoint_source': None,
                            'notes': 'Vendored HF config.json; architecture keys identical to Llama-3.1-70B '
                                     '(eos_token_id list and transformers_version differ).',
                            'config': {'architectures': ['LlamaForCausalLM'],
                                       'attention_bias': False,
                                       'attention_dropout': 0.0,
                                       'bos_token_id': 128000,
                                       'eos_token_id': [128001, 128008, 128009],
                                       'hidden_act': 'silu',
                                       'hidden_size': 8192,
                                       'initializer_range': 0.02,
                                       'intermediate_size': 28672,
                                       'max_position_embeddings': 131072,
                                       'mlp_bias': False,
                                       'model_type': 'llama',
                                       'num_attention_heads': 64,
                                       'num_hidden_layers': 80,
                                       'num_key_value_heads': 8,
                                       'pretraining_tp': 1,
                                       'rms_norm_eps': 1e-05,
                                       'rope_scaling': {'factor': 8.0,
                                                        'low_freq_factor': 1.0,
                                                        'high_freq_factor': 4.0,
                                                        'original_max_position_embeddings': 8192,
                                                        'rope_type': 'llama3'},
                                       'rope_theta': 500000.0,
                                       'tie_word_embeddings': False,
                                       'torch_dtype': 'bfloat16',
                                       'transformers_version': '4.47.0',
                                       'use_cache': True,
                                       'vocab_size': 128256}},
 'mistral-7b-v0.1': {'name': 'Mistral 7B v0.1',
                     'hf_repo': 'mistralai/Mistral-7B-v0.1',
                     'config_source': "Verbatim JSON quoted in a TS preset file labelled 'the real files, verbatim, "
                                      "as fetched from the Hub' with source "
                                      'https://huggingface.co/mistralai/Mistral-7B-v0.1/blob/main/config.json '
                                      "(code-index file id 68824890106); identical JSON in a 'Mistral config:' "
                                      'docstring (file id 32553266219), a Rust comment (20946506369), and '
                                      'fusion_bench docs citing '
                                      'https://huggingface.co/mistralai/Mistral-7B-v0.1/resolve/main/config.json '
                                      '(4813762979).',
                     'checkpoint_total_size': None,
                     'checkpoint_dtype': 'bfloat16',
                     'checkpoint_source': None,
                     'notes': 'sliding_window 4096. index total_size not read for v0.1 itself; '
                              'Mistral-7B-Instruct-v0.2 (same shapes) index total_size is 14483464192 per a '
                              'parsed-index table (file ids 66497471526, 66449391311, 66690267201) and that equals 2 '
                              'x 7,241,732,096 params; the v0.1 file sizes above exceed it by 33,848 header bytes '
                              "(my arithmetic). mlc-llm 'mistral_7b' preset adds non-HF keys (sliding_window_size, "
                              'attention_sink_size), so not used.',
                     'config': {'architectures': ['MistralForCausalLM'],
                                'bos_token_id': 1,
                                'eos_token_id': 2,
                                'hidden_act': 'silu',
                                'hidden_size': 4096,
                                'initializer_range': 0.02,
                                'intermediate_size': 14336,
                                'max_position_embeddings': 32768,
                                'model_type': 'mistral',
                                'num_attention_heads': 32,
                                'num_hidden_layers': 32,
                                'num_key_value_heads': 8,
                                'rms_norm_eps': 1e-05,
                                'rope_theta': 10000.0,
                                'sliding_window': 4096,
                                'tie_word_embeddings': False,
                                'torch_dtype': 'bfloat16',
                                'transformers_version': '4.34.0.dev0',
                                'use_cache': True,
                                'vocab_size': 32000}},
 'mistral-7b-v0.3': {'name': 'Mistral 7B v0.3',
                     'hf_repo': 'mistralai/Mistral-7B-v0.3',
                     'config_source': 'mlc-ai/mlc-llm python/mlc_llm/model/model_preset.py @ '
                                      "79d603f085f50500e9509fa01785ffa7ecfaaa93 ('mistral_7b_v03', a Python dict "
                                      'with no added keys; None/False/True -> JSON). Identical JSON under a '
                                      "'config.json' heading in a model-notes doc (code-index file id 61558565367) "
                                      'and, as Mistral-7B-Instruct-v0.3 config '
                                      '(https://huggingface.co/mistralai/Mistral-7B-Instruct-v0.3/blob/main/config.json), '
                                      'in file id 3953518908.',
                     'checkpoint_total_size': 14496047104,
                     'checkpoint_dtype': 'bfloat16',
                     'checkpoint_source': "Rust doc comment 'Format (verified against Mistral 7B v0.3 and Qwen 2.5 "
                                          '7B): {"metadata": {"total_size": 14496047104}, ... '
                                          "model-0000N-of-00003.safetensors}' (code-index file id 54862644868); also "
                                          "a validator invocation '--expected-total-size 14496047104 "
                                          "--expected-tensor-count 291 --expected-dtype BF16' (62664830953). Equals "
                                          '2 x 7,248,023,552 params.',
                     'notes': 'Not stated whether the index read was base or Instruct v0.3; both have the same '
                              'tensor shapes (vocab 32768). sliding_window null; rope_theta 1e6. Could not confirm '
                              "the base repo's config separately from the Instruct copies; the copies agree on every "
                              'key.',
                     'config': {'architectures': ['MistralForCausalLM'],
                                'attention_dropout': 0.0,
                                'bos_token_id': 1,
                                'eos_token_id': 2,
                                'hidden_act': 'silu',
                                'hidden_size': 4096,
                                'initializer_range': 0.02,
                                'intermediate_size': 14336,
                                'max_position_embeddings': 32768,
                                'model_type': 'mistral',
                                'num_attention_heads': 32,
                                'num_hidden_layers': 32,
                                'num_key_value_heads': 8,
                                'rms_norm_eps': 1e-05,
                                'rope_theta': 1000000.0,
                                'sliding_window': None,
                                'tie_word_embeddings': False,
                                'torch_dtype': 'bfloat16',
                                'transformers_version': '4.42.0.dev0',
                                'use_cache': True,
                                'vocab_size': 32768}},
 'mistral-nemo-12b': {'name': 'Mistral NeMo 12B',
                      'hf_repo': 'mistralai/Mistral-Nemo-Base-2407',
                      'config_source': 'kevinstephano/thunder_model_blocks '
                                       'thunder_model_blocks/mistral/mistral_config.py @ '
                                       '5c083b0e1fc8c408308c6b602bfd4669a36a2901 (JSON string mistral_cfg_str, '
                                       'obtained via '
                                       "AutoConfig.from_pretrained('mistralai/Mistral-Nemo-Base-2407')); the "
                                       "'_name_or_path' key that this dump adds has been dropped here.",
                      'checkpoint_total_size': 24495564800,
                      'checkpoint_dtype': 'bfloat16',
                      'checkpoint_source': 'Code-index file id 56737988664: integrity-check script reading '
                                           "index['metadata'] of a 5-shard Mistral-Nemo checkpoint, expected output "
                                           "'Total tensors expected: 363 / Total size (bytes): 24495564800' "
                                           '(model-0000N-of-00005.safetensors). A model registry (file id '
                                           '69570358100) also lists safetensors_total_bytes 24495564800 for a '
                                           'Mistral-NeMo 12B entry. Equals 2 x 12,247,782,400 params.',
                      'notes': 'head_dim 128 != hidden_size/num_attention_heads (5120/32 = 160): q_proj is '
                               "5120->4096. CAVEAT: the config is an AutoConfig dump, so 'transformers_version' "
                               "(4.43.3) may be the dumper's library version rather than the file's value; the "
                               'architecture values are file values. max_position_embeddings 128000 for Base (the '
                               "registry's Instruct-like entry says 131072; Instruct-2407 differs). The total_size "
                               'sources do not say Base vs Instruct; both 2407 models have identical tensor shapes.',
                      'config': {'architectures': ['MistralForCausalLM'],
                                 'attention_dropout': 0.0,
                                 'bos_token_id': 1,
                                 'eos_token_id': 2,
                                 'head_dim': 128,
                                 'hidden_act': 'silu',
                                 'hidden_size': 5120,
                                 'initializer_range': 0.02,
                                 'intermediate_size': 14336,
                                 'max_position_embeddings': 128000,
                                 'model_type': 'mistral',
                                 'num_attention_heads': 32,
                                 'num_hidden_layers': 40,
                                 'num_key_value_heads': 8,
                                 'rms_norm_eps': 1e-05,
                                 'rope_theta': 1000000.0,
                                 'sliding_window': None,
                                 'tie_word_embeddings': False,
                                 'torch_dtype': 'bfloat16',
                                 'transformers_version': '4.43.3',
                                 'use_cache': True,
                                 'vocab_size': 131072}},
 'mixtral-8x7b': {'name': 'Mixtral 8x7B',
                  'hf_repo': 'mistralai/Mixtral-8x7B-v0.1',
                  'config_source': 'mlc-ai/mlc-llm python/mlc_llm/model/model_preset.py @ '
                                   "79d603f085f50500e9509fa01785ffa7ecfaaa93 ('Mixtral-8x7B-v0.1', no added keys). "
                                   'Identical JSON in a blog note citing '
                                   'https://huggingface.co/mistralai/Mixtral-8x7B-v0.1/blob/main/config.json '
                                   '(code-index file id 21847056202) and in file ids 66615739814, 65822424725.',
                  'checkpoint_total_size': None,
                  'checkpoint_dtype': 'bfloat16',
                  'checkpoint_source': None,
                  'notes': 'index total_size not read verbatim; 2 x 46,702,792,704 params = 93,405,585,408 appears '
                           'only as a DERIVED value / in a script writing its own index (file id 9876739501). Router '
                           'gate weights are included in params.',
                  'config': {'architectures': ['MixtralForCausalLM'],
                             'attention_dropout': 0.0,
                             'bos_token_id': 1,
                             'eos_token_id': 2,
                             'hidden_act': 'silu',
                             'hidden_size': 4096,
                             'initializer_range': 0.02,
                             'intermediate_size': 14336,
                             'max_position_embeddings': 32768,
                             'model_type': 'mixtral',
                             'num_attention_heads': 32,
                             'num_experts_per_tok': 2,
                             'num_hidden_layers': 32,
                             'num_key_value_heads': 8,
                             'num_local_experts': 8,
                             'output_router_logits': False,
                             'rms_norm_eps': 1e-05,
                             'rope_theta': 1000000.0,
                             'router_aux_loss_coef': 0.02,
                             'sliding_window': None,
                             'tie_word_embeddings': False,
                             'torch_dtype': 'bfloat16',
                             'transformers_version': '4.36.0.dev0',
                             'use_cache': True,
                             'vocab_size': 32000}},
 'mixtral-8x22b': {'name': 'Mixtral 8x22B',
                   'hf_repo': 'mistralai/Mixtral-8x22B-v0.1',
                   'config_source': 'ai-dynamo/aiconfigurator '
                                    'aic-core/src/aiconfigurator_core/model_configs/mistralai--Mixtral-8x22B-v0.1_config.json '
                                    '@ 095f58a51c4ca8e61b66ec108d86f223f8d559ce',
                   'checkpoint_total_size': 281241268224,
                   'checkpoint_dtype': None,
                   'checkpoint_source': 'Code-index file id 56571140760 (page-map manifest for source model '
                                        'mistralai/Mixtral-8x22B-v0.1, built from the real safetensors headers): 59 '
                                        'shards, 1739 tensors, mapped_tensor_payload_bytes 281241268224, '
                                        'total_checkpoint_bytes_required 281241493344, header_and_metadata_bytes '
                                        '225120. NOTE: tensor bytes summed from shard headers, not the index.json '
                                        'metadata line; it equals 2 x 140,620,634,112 params (vocab 32000).',
                   'notes': 'Vendored HF config.json.',
                   'config': {'architectures': ['MixtralForCausalLM'],
                              'attention_dropout': 0.0,
                              'bos_token_id': 1,
                              'eos_token_id': 2,
                              'hidden_act': 'silu',
                              'hidden_size': 6144,
                              'initializer_range': 0.02,
                              'intermediate_size': 16384,
                              'max_position_embeddings': 65536,
                              'model_type': 'mixtral',
                              'num_attention_heads': 48,
                              'num_experts_per_tok': 2,
                              'num_hidden_layers': 56,
                              'num_key_value_heads': 8,
                              'num_local_experts': 8,
                              'output_router_logits': False,
                              'rms_norm_eps': 1e-05,
                              'rope_theta': 1000000,
                              'router_aux_loss_coef': 0.001,
                              'sliding_window': None,
                              'tie_word_embeddings': False,
                              'torch_dtype': 'bfloat16',
                              'transformers_version': '4.38.0',
                              'use_cache': True,
                              'vocab_size': 32000}},
 'falcon-7b': {'name': 'Falcon 7B',
               'hf_repo': 'tiiuae/falcon-7b',
               'config_source': 'tenstorrent/tt-buda pybuda/test/falcon/models/falcon7b/config.json @ '
                                '97caab7903a95ede3ddea536e3e3aec89cb98da5 (vendored copy of the HF repo files incl. '
                                'README, configuration_RW.py, pytorch_model.bin.index.json)',
               'checkpoint_total_size': 14434379520,
               'checkpoint_dtype': 'bfloat16 (pytorch_model-0000x-of-00002.bin shards)',
               'checkpoint_source': 'tenstorrent/tt-buda '
                                    'pybuda/test/falcon/models/falcon7b/pytorch_model.bin.index.json @ '
                                    '97caab7903a95ede3ddea536e3e3aec89cb98da5, metadata.total_size',
               'notes': 'OLD revision (model_type RefinedWebModel, n_head/n_layer keys, transformers 4.27.4, '
                        "trust_remote_code RW classes). Newer HF revision (model_type 'falcon') not found verbatim "
                        "for falcon-7b; only a Python-dict transcription of tiiuae/falcon-7b-instruct's new-style "
                        'config.json was found in tenstorrent tt-metal (find_string id 7831641729): model_type '
                        'falcon, FalconForCausalLM, hidden_size 4544, num_attention_heads 71, num_hidden_layers 32, '
                        'num_kv_heads 71, multi_query true, new_decoder_architecture false, parallel_attn true, '
                        'alibi false, bias false, layer_norm_epsilon 1e-05, vocab_size 65024, bos/eos 11, '
                        'torch_dtype bfloat16, transformers_version 4.28.1. MQA: multi_query=true means 1 KV head in '
                        'HF modeling (num_kv_heads 71 is ignored when multi_query and not new_decoder_architecture). '
                        'No intermediate_size key: FFN = 4*hidden = 18176. gpu_poor extract (RahulSChand/gpu_poor '
                        'public/all_configs.json @ ad2fc0ef0e6ceeb7684363504eecc3342a5e7dc4 (file last changed '
                        '83ca8d0c613b5326c81137d52c90cf35236bc2ac, 2023-10-25): a key-subset extract of HF '
                        'config.json per repo id) agrees: RWForCausalLM, hidden 4544, n_head 71, n_layer 32, vocab '
                        '65024.',
               'config': {'alibi': False,
                          'apply_residual_connection_post_layernorm': False,
                          'architectures': ['RWForCausalLM'],
                          'attention_dropout': 0.0,
                          'auto_map': {'AutoConfig': 'configuration_RW.RWConfig',
                                       'AutoModel': 'modelling_RW.RWModel',
                                       'AutoModelForSequenceClassification': 'modelling_RW.RWForSequenceClassification',
                                       'AutoModelForTokenClassification': 'modelling_RW.RWForTokenClassification',
                                       'AutoModelForQuestionAnswering': 'modelling_RW.RWForQuestionAnswering',
                                       'AutoModelForCausalLM': 'modelling_RW.RWForCausalLM'},
                          'bias': False,
                          'bos_token_id': 11,
                          'eos_token_id': 11,
                          'hidden_dropout': 0.0,
                          'hidden_size': 4544,
                          'initializer_range': 0.02,
                          'layer_norm_epsilon': 1e-05,
                          'model_type': 'RefinedWebModel',
                          'multi_query': True,
                          'n_head': 71,
                          'n_layer': 32,
                          'parallel_attn': True,
                          'torch_dtype': 'bfloat16',
                          'transformers_version': '4.27.4',
                          'use_cache': True,
                          'vocab_size': 65024}},
 'gpt2': {'name': 'GPT-2 (124M)',
          'hf_repo': 'openai-community/gpt2',
          'config_source': 'GitHub Girafboy/pytorchKQI, example/evaluate.py @ commit '
                           '963269026663521e774249c3828f9e000bb2a405 (Python dict literal of the HF config.json; '
                           "None/True/False converted to JSON null/true/false). Identical content quoted as 'the "
                           "real files, verbatim, as fetched from the Hub' with source "
                           'https://huggingface.co/openai-community/gpt2/blob/main/config.json in a TS preset file '
                           '(code-index file id 68824890106), and in mlc-ai/mlc-llm '
                           "python/mlc_llm/model/model_preset.py ('gpt2') @ "
                           '79d603f085f50500e9509fa01785ffa7ecfaaa93.',
          'checkpoint_total_size': None,
          'checkpoint_dtype': None,
          'checkpoint_source': None,
          'notes': 'No torch_dtype / transformers_version keys in this config (old-style file). Checkpoint is a '
                   'single model.safetensors (fp32); its byte size not yet found verbatim.',
          'config': {'activation_function': 'gelu_new',
                     'architectures': ['GPT2LMHeadModel'],
                     'attn_pdrop': 0.1,
                     'bos_token_id': 50256,
                     'embd_pdrop': 0.1,
                     'eos_token_id': 50256,
                     'initializer_range': 0.02,
                     'layer_norm_epsilon': 1e-05,
                     'model_type': 'gpt2',
                     'n_ctx': 1024,
                     'n_embd': 768,
                     'n_head': 12,
                     'n_layer': 12,
                     'n_positions': 1024,
                     'resid_pdrop': 0.1,
                     'summary_activation': None,
                     'summary_first_dropout': 0.1,
                     'summary_proj_to_labels': True,
                     'summary_type': 'cls_index',
                     'summary_use_proj': True,
                     'task_specific_params': {'text-generation': {'do_sample': True, 'max_length': 50}},
                     'vocab_size': 50257}},
 'pythia-6.9b': {'name': 'Pythia 6.9B',
                 'hf_repo': 'EleutherAI/pythia-6.9b',
                 'config_source': 'transcription of the published config.json: find_string id 46113627609 (markdown '
                                  'notes, repo not named): printed `GPTNeoXConfig {...}` for '
                                  'EleutherAI/pythia-6.9b-deduped as loaded by transformers 4.45.2 (so it includes '
                                  'transformers-filled defaults such as attention_bias, partial_rotary_factor, '
                                  'rope_theta; NOT the raw file). Same note prints the module tree: Embedding(50432, '
                                  '4096), 32 x GPTNeoXLayer, query_key_value Linear(4096->12288, bias), '
                                  'dense_h_to_4h 4096->16384, embed_out Linear(4096->50432, bias=False).',
                 'checkpoint_total_size': None,
                 'checkpoint_dtype': None,
                 'checkpoint_source': None,
                 'notes': 'No raw HF config.json found. Deduped and non-deduped share the architecture. Architecture '
                          'values consistent across the three sources: vocab 50432, hidden 4096, 32 layers, 32 '
                          'heads, FFN 16384, untied embeddings, parallel residual, rotary_pct 0.25, fp16 checkpoint '
                          'dtype. gpu_poor extract (RahulSChand/gpu_poor public/all_configs.json @ '
                          'ad2fc0ef0e6ceeb7684363504eecc3342a5e7dc4 (file last changed '
                          '83ca8d0c613b5326c81137d52c90cf35236bc2ac, 2023-10-25): a key-subset extract of HF '
                          'config.json per repo id) agrees: GPTNeoXForCausalLM, hidden 4096, intermediate 16384, 32 '
                          'heads, 32 layers, vocab 50432. Config taken from a key-for-key transcription, not a byte '
                          'copy of the file.',
                 'config': {'_name_or_path': 'EleutherAI/pythia-6.9b-deduped',
                            'architectures': ['GPTNeoXForCausalLM'],
                            'attention_bias': True,
                            'attention_dropout': 0.0,
                            'bos_token_id': 0,
                            'classifier_dropout': 0.1,
                            'eos_token_id': 0,
                            'hidden_act': 'gelu',
                            'hidden_dropout': 0.0,
                            'hidden_size': 4096,
                            'initializer_range': 0.02,
                            'intermediate_size': 16384,
                            'layer_norm_eps': 1e-05,
                            'max_position_embeddings': 2048,
                            'model_type': 'gpt_neox',
                            'num_attention_heads': 32,
                            'num_hidden_layers': 32,
                            'partial_rotary_factor': 0.25,
                            'rope_scaling': None,
                            'rope_theta': 10000,
                            'rotary_emb_base': 10000,
                            'rotary_pct': 0.25,
                            'tie_word_embeddings': False,
                            'torch_dtype': 'float16',
                            'transformers_version': '4.45.2',
                            'use_cache': True,
                            'use_parallel_residual': True,
                            'vocab_size': 50432}},
 'olmo-2-7b': {'name': 'OLMo 2 7B',
               'hf_repo': 'allenai/OLMo-2-1124-7B',
               'config_source': 'transcription of the published config.json: Megatron-Bridge unit-test fixture '
                                "olmo2_7b_config_dict, docstring 'Mirror of `allenai/OLMo-2-1124-7B/config.json`' "
                                '(find_string id 56292883532; a Megatron-Bridge fork/branch, file not in '
                                'NVIDIA-NeMo/Megatron-Bridge HEAD 067f987df03b8355b03192d88d70f1709fedf51a). Python '
                                'dict; may omit keys such as bos_token_id/transformers_version.',
               'checkpoint_total_size': None,
               'checkpoint_dtype': None,
               'checkpoint_source': None,
               'notes': 'Two independent transcriptions agree on all architecture values. Config taken from a '
                        'key-for-key transcription, not a byte copy of the file.',
               'config': {'architectures': ['Olmo2ForCausalLM'],
                          'attention_bias': False,
                          'attention_dropout': 0.0,
                          'eos_token_id': 100257,
                          'hidden_act': 'silu',
                          'hidden_size': 4096,
                          'initializer_range': 0.02,
                          'intermediate_size': 11008,
                          'max_position_embeddings': 4096,
                          'model_type': 'olmo2',
                          'num_attention_heads': 32,
                          'num_hidden_layers': 32,
                          'num_key_value_heads': 32,
                          'pad_token_id': 100277,
                          'rms_norm_eps': 1e-06,
                          'rope_theta': 500000.0,
                          'tie_word_embeddings': False,
                          'torch_dtype': 'bfloat16',
                          'use_cache': True,
                          'vocab_size': 100352}},
 'qwen2.5-0.5b': {'name': 'Qwen2.5 0.5B',
                  'hf_repo': 'Qwen/Qwen2.5-0.5B',
                  'config_source': 'Stored public doc file (search index file id 11122973016, a per-model Markdown '
                                   "page titled '# Qwen/Qwen2.5-0.5B' with sections 'model config' / 'model print' / "
                                   "'torch info'; repository name not shown by the index)",
                  'checkpoint_total_size': None,
                  'checkpoint_dtype': 'bfloat16',
                  'checkpoint_source': None,
                  'notes': 'Config is the JSON block in that doc, copied verbatim. Checkpoint is a single '
                           'model.safetensors (no index.json). single_file_size_bytes is for '
                           'Qwen/Qwen2.5-0.5B-INSTRUCT (same architecture; the note says it was read from the HF '
                           'X-Linked-Size header, incl. safetensors header) - not verified for the base repo. '
                           'Secondary source also states 494,032,768 params (bf16 => 988,065,536 tensor bytes). '
                           'Corroborating copy: rwth-i6/i6_experiments qwen2_configs.py has Qwen2-0.5B (different: '
                           '131072 ctx), i.e. NOT this model.',
                  'config': {'architectures': ['Qwen2ForCausalLM'],
                             'attention_dropout': 0.0,
                             'bos_token_id': 151643,
                             'eos_token_id': 151643,
                             'hidden_act': 'silu',
                             'hidden_size': 896,
                             'initializer_range': 0.02,
                             'intermediate_size': 4864,
                             'max_position_embeddings': 32768,
                             'max_window_layers': 24,
                             'model_type': 'qwen2',
                             'num_attention_heads': 14,
                             'num_hidden_layers': 24,
                             'num_key_value_heads': 2,
                             'rms_norm_eps': 1e-06,
                             'rope_theta': 1000000.0,
                             'sliding_window': 32768,
                             'tie_word_embeddings': True,
                             'torch_dtype': 'bfloat16',
                             'transformers_version': '4.40.1',
                             'use_cache': True,
                             'use_mrope': False,
                             'use_sliding_window': False,
                             'vocab_size': 151936}},
 'qwen2.5-7b': {'name': 'Qwen2.5 7B',
                'hf_repo': 'Qwen/Qwen2.5-7B',
                'config_source': 'GitHub citsjtu2020/LLM-Prof, sglang/Model_Config.md, commit '
                                 "8434c8d19c396b2f95d92a67845a7c0a0e0dd512 (section 'Qwen2.5-7B')",
                'checkpoint_total_size': 15231233024,
                'checkpoint_dtype': 'bfloat16',
                'checkpoint_source': "Secondary: stored research-notes Markdown (index file id 71629836929): '7B "
                                     'model.safetensors.index.json "total_size": 15231233024\' citing '
                                     'https://huggingface.co/Qwen/Qwen2.5-7B-Instruct/raw/main/model.safetensors.index.json '
                                     '; the same number appears in two other stored blog drafts (file ids '
                                     "70725777914, 70208220880). Also in file id 69592811516: 'For "
                                     "Qwen2.5-7B-Instruct ... metadata.total_size = 15231233024'.",
                'notes': 'Config copied verbatim from the Markdown (JSON block, 2-space indent). Only one copy '
                         'found; other Qwen2.5-7B-ish copies found were Qwen2-7B(-Instruct) configs '
                         '(max_position_embeddings 32768, transformers 4.41.2) and are NOT this model. total_size is '
                         "quoted for Qwen2.5-7B-INSTRUCT's index (same architecture/param count 7,615,616,512); base "
                         "repo's index not read directly.",
                'config': {'architectures': ['Qwen2ForCausalLM'],
                           'attention_dropout': 0.0,
                           'bos_token_id': 151643,
                           'eos_token_id': 151643,
                           'hidden_act': 'silu',
                           'hidden_size': 3584,
                           'initializer_range': 0.02,
                           'intermediate_size': 18944,
                           'max_position_embeddings': 131072,
                           'max_window_layers': 28,
                           'model_type': 'qwen2',
                           'num_attention_heads': 28,
                           'num_hidden_layers': 28,
                           'num_key_value_heads': 4,
                           'rms_norm_eps': 1e-06,
                           'rope_theta': 1000000.0,
                           'sliding_window': 131072,
                           'tie_word_embeddings': False,
                           'torch_dtype': 'bfloat16',
                           'transformers_version': '4.40.1',
                           'use_cache': True,
                           'use_mrope': False,
                           'use_sliding_window': False,
                           'vocab_size': 152064}},
 'qwen2.5-72b-instruct': {'name': 'Qwen2.5 72B Instruct',
                          'hf_repo': 'Qwen/Qwen2.5-72B-Instruct',
                          'config_source': 'GitHub file found via find_string (id 62544871882, repo not named by the '
                                           "index): a Chinese 'model info report' markdown dumping the raw "
                                           "config.json ('原始 config.json') read from a local copy "
                                           '/nfs/ofs-llm-ssd/models/opensource/Qwen2.5-72B-Instruct/config.json',
                          'checkpoint_total_size': 145412407296,
                          'checkpoint_dtype': None,
                          'checkpoint_source': "Secondary: stored Markdown 'Weight-model metadata sources' (index "
                                               "file id 69592811516): 'For Qwen2.5-72B-Instruct ... Its official "
                                               'Safetensors index declares metadata.total_size = 145412407296 '
                                               "bytes'; same number in test files (ids 69387729551, 62517398815, 37 "
                                               'shards). This is the -INSTRUCT sibling (same architecture); base '
                                               'repo index not read directly.',
                          'notes': 'Instruct variant. Base Qwen/Qwen2.5-72B differs in non-arch keys (see that '
                                   'entry). checkpoint_total_size not given verbatim; 72,706,203,648 params x 2 '
                                   'bytes = 145,412,407,296 bytes would be the bf16 tensor bytes (derived, not read '
                                   'from an index file).',
                          'config': {'architectures': ['Qwen2ForCausalLM'],
                                     'attention_dropout': 0.0,
                                     'bos_token_id': 151643,
                                     'eos_token_id': 151645,
                                     'hidden_act': 'silu',
                                     'hidden_size': 8192,
                                     'initializer_range': 0.02,
                                     'intermediate_size': 29568,
                                     'max_position_embeddings': 32768,
                                     'max_window_layers': 70,
                                     'model_type': 'qwen2',
                                     'num_attention_heads': 64,
                                     'num_hidden_layers': 80,
                                     'num_key_value_heads': 8,
                                     'rms_norm_eps': 1e-06,
                                     'rope_theta': 1000000.0,
                                     'sliding_window': 131072,
                                     'tie_word_embeddings': False,
                                     'torch_dtype': 'bfloat16',
                                     'transformers_version': '4.43.1',
                                     'use_cache': True,
                                     'use_sliding_window': False,
                                     'vocab_size': 152064}},
 'qwen1.5-moe-a2.7b': {'name': 'Qwen1.5-MoE A2.7B',
                       'hf_repo': 'Qwen/Qwen1.5-MoE-A2.7B',
                       'config_source': 'GitHub mlc-ai/mlc-llm, python/mlc_llm/model/model_preset.py, commit '
                                        "79d603f085f50500e9509fa01785ffa7ecfaaa93 (MODEL_PRESETS['qwen2moe']; "
                                        'Python-dict transcription of the HF config.json)',
                       'checkpoint_total_size': None,
                       'checkpoint_dtype': None,
                       'checkpoint_source': None,
                       'notes': "Medium confidence. mlc-llm's 'qwen2moe' preset: keys alphabetical up to vocab_size, "
                                'then MoE keys appended (decoder_sparse_step ... router_aux_loss_coef) - so key '
                                'ORDER differs from the HF file and it is unclear whether this came from the base or '
                                'the -Chat repo (eos_token_id 151645 is the chat <|im_end|> id; the base repo may '
                                'use 151643). Values match the Qwen1.5-MoE-A2.7B architecture (60 experts, top-4, '
                                'moe_intermediate 1408, shared 5632). No second copy found for cross-check.',
                       'config': {'architectures': ['Qwen2MoeForCausalLM'],
                                  'attention_dropout': 0.0,
                                  'bos_token_id': 151643,
                                  'eos_token_id': 151645,
                                  'hidden_act': 'silu',
                                  'hidden_size': 2048,
                                  'initializer_range': 0.02,
                                  'intermediate_size': 5632,
                                  'max_position_embeddings': 32768,
                                  'max_window_layers': 21,
                                  'model_type': 'qwen2_moe',
                                  'num_attention_heads': 16,
                                  'num_hidden_layers': 24,
                                  'num_key_value_heads': 16,
                                  'rms_norm_eps': 1e-06,
                                  'rope_theta': 1000000.0,
                                  'sliding_window': 32768,
                                  'tie_word_embeddings': False,
                                  'torch_dtype': 'bfloat16',
                                  'transformers_version': '4.39.0.dev0',
                                  'use_cache': True,
                                  'use_sliding_window': False,
                                  'vocab_size': 151936,
                                  'decoder_sparse_step': 1,
                                  'moe_intermediate_size': 1408,
                                  'shared_expert_intermediate_size': 5632,
                                  'num_experts_per_tok': 4,
                                  'num_experts': 60,
                                  'norm_topk_prob': False,
                                  'output_router_logits': False,
                                  'router_aux_loss_coef': 0.001}},
 'qwen3-8b': {'name': 'Qwen3 8B',
              'hf_repo': 'Qwen/Qwen3-8B',
              'config_source': 'GitHub ai-dynamo/aiconfigurator, '
                               'aic-core/src/aiconfigurator_core/model_configs/Qwen--Qwen3-8B_config.json, commit '
                               "095f58a51c4ca8e61b66ec108d86f223f8d559ce (file first added in commit 0cbef0da0 'add "
                               "pre-downloaded config.json files', 2025-10-30)",
              'checkpoint_total_size': None,
              'checkpoint_dtype': None,
              'checkpoint_source': None,
              'notes': 'Verbatim JSON file. Cross-checked: identical key/values in GitHub citsjtu2020/LLM-Prof, '
                       'sglang/Model_Config.md, commit 8434c8d19c396b2f95d92a67845a7c0a0e0dd512 and (8B, 30B-A3B) in '
                       'alibaba/InferSim hf_configs/qwen3-*_config.json.',
              'config': {'architectures': ['Qwen3ForCausalLM'],
                         'attention_bias': False,
                         'attention_dropout': 0.0,
                         'bos_token_id': 151643,
                         'eos_token_id': 151645,
                         'head_dim': 128,
                         'hidden_act': 'silu',
                         'hidden_size': 4096,
                         'initializer_range': 0.02,
                         'intermediate_size': 12288,
                         'max_position_embeddings': 40960,
                         'max_window_layers': 36,
                         'model_type': 'qwen3',
                         'num_attention_heads': 32,
                         'num_hidden_layers': 36,
                         'num_key_value_heads': 8,
                         'rms_norm_eps': 1e-06,
                         'rope_scaling': None,
                         'rope_theta': 1000000,
                         'sliding_window': None,
                         'tie_word_embeddings': False,
                         'torch_dtype': 'bfloat16',
                         'transformers_version': '4.51.0',
                         'use_cache': True,
                         'use_sliding_window': False,
                         'vocab_size': 151936}},
 'qwen3-32b': {'name': 'Qwen3 32B',
               'hf_repo': 'Qwen/Qwen3-32B',
               'config_source': 'GitHub ai-dynamo/aiconfigurator, '
                                'aic-core/src/aiconfigurator_core/model_configs/Qwen--Qwen3-32B_config.json, commit '
                                "095f58a51c4ca8e61b66ec108d86f223f8d559ce (file first added in commit 0cbef0da0 'add "
                                "pre-downloaded config.json files', 2025-10-30)",
               'checkpoint_total_size': None,
               'checkpoint_dtype': None,
               'checkpoint_source': None,
               'notes': 'Verbatim JSON file. Cross-checked: identical key/values in GitHub citsjtu2020/LLM-Prof, '
                        'sglang/Model_Config.md, commit 8434c8d19c396b2f95d92a67845a7c0a0e0dd512 and (8B, 30B-A3B) '
                        'in alibaba/InferSim hf_configs/qwen3-*_config.json.',
               'config': {'architectures': ['Qwen3ForCausalLM'],
                          'attention_bias': False,
                          'attention_dropout': 0.0,
                          'bos_token_id': 151643,
                          'eos_token_id': 151645,
                          'head_dim': 128,
                          'hidden_act': 'silu',
                          'hidden_size': 5120,
                          'initializer_range': 0.02,
                          'intermediate_size': 25600,
                          'max_position_embeddings': 40960,
                          'max_window_layers': 64,
                          'model_type': 'qwen3',
                          'num_attention_heads': 64,
                          'num_hidden_layers': 64,
                          'num_key_value_heads': 8,
                          'rms_norm_eps': 1e-06,
                          'rope_scaling': None,
                          'rope_theta': 1000000,
                          'sliding_window': None,
                          'tie_word_embeddings': False,
                          'torch_dtype': 'bfloat16',
                          'transformers_version': '4.51.0',
                          'use_cache': True,
                          'use_sliding_window': False,
                          'vocab_size': 151936}},
 'qwen3-30b-a3b': {'name': 'Qwen3 30B-A3B',
                   'hf_repo': 'Qwen/Qwen3-30B-A3B',
                   'config_source': 'GitHub ai-dynamo/aiconfigurator, '
                                    'aic-core/src/aiconfigurator_core/model_configs/Qwen--Qwen3-30B-A3B_config.json, '
                                    'commit 095f58a51c4ca8e61b66ec108d86f223f8d559ce (file first added in commit '
                                    "0cbef0da0 'add pre-downloaded config.json files', 2025-10-30)",
                   'checkpoint_total_size': None,
                   'checkpoint_dtype': None,
                   'checkpoint_source': None,
                   'notes': 'Verbatim JSON file. Cross-checked: identical key/values in GitHub citsjtu2020/LLM-Prof, '
                            'sglang/Model_Config.md, commit 8434c8d19c396b2f95d92a67845a7c0a0e0dd512 and (8B, '
                            '30B-A3B) in alibaba/InferSim hf_configs/qwen3-*_config.json.',
                   'config': {'architectures': ['Qwen3MoeForCausalLM'],
                              'attention_bias': False,
                              'attention_dropout': 0.0,
                              'bos_token_id': 151643,
                              'decoder_sparse_step': 1,
                              'eos_token_id': 151645,
                              'head_dim': 128,
                              'hidden_act': 'silu',
                              'hidden_size': 2048,
                              'initializer_range': 0.02,
                              'intermediate_size': 6144,
                              'max_position_embeddings': 40960,
                              'max_window_layers': 48,
                              'mlp_only_layers': [],
                              'model_type': 'qwen3_moe',
                              'moe_intermediate_size': 768,
                              'norm_topk_prob': True,
                              'num_attention_heads': 32,
                              'num_experts': 128,
                              'num_experts_per_tok': 8,
                              'num_hidden_layers': 48,
                              'num_key_value_heads': 4,
                              'output_router_logits': False,
                              'rms_norm_eps': 1e-06,
                              'rope_scaling': None,
                              'rope_theta': 1000000.0,
                              'router_aux_loss_coef': 0.001,
                              'sliding_window': None,
                              'tie_word_embeddings': False,
                              'torch_dtype': 'bfloat16',
                              'transformers_version': '4.51.0',
                              'use_cache': True,
                              'use_sliding_window': False,
                              'vocab_size': 151936}},
 'qwen3-235b-a22b': {'name': 'Qwen3 235B-A22B',
                     'hf_repo': 'Qwen/Qwen3-235B-A22B',
                     'config_source': 'GitHub ai-dynamo/aiconfigurator, '
                                      'aic-core/src/aiconfigurator_core/model_configs/Qwen--Qwen3-235B-A22B_config.json, '
                                      'commit 095f58a51c4ca8e61b66ec108d86f223f8d559ce (file first added in commit '
                                      "0cbef0da0 'add pre-downloaded config.json files', 2025-10-30)",
                     'checkpoint_total_size': None,
                     'checkpoint_dtype': None,
                     'checkpoint_source': None,
                     'notes': 'Verbatim JSON file (original April-2025 release: max_position_embeddings 40960, '
                              'rope_theta 1000000.0). WARNING: alibaba/InferSim '
                              'hf_configs/qwen3-235B-A22B_config.json has max_position_embeddings 262144 / '
                              'rope_theta 5000000 - that is the later Qwen3-235B-A22B-Instruct-2507/Thinking-2507 '
                              'config, not this repo.',
                     'config': {'architectures': ['Qwen3MoeForCausalLM'],
                                'attention_bias': False,
                                'attention_dropout': 0.0,
                                'bos_token_id': 151643,
                                'decoder_sparse_step': 1,
                                'eos_token_id': 151645,
                                'head_dim': 128,
                                'hidden_act': 'silu',
                                'hidden_size': 4096,
                                'initializer_range': 0.02,
                                'intermediate_size': 12288,
                                'max_position_embeddings': 40960,
                                'max_window_layers': 94,
                                'mlp_only_layers': [],
                                'model_type': 'qwen3_moe',
                                'moe_intermediate_size': 1536,
                                'norm_topk_prob': True,
                                'num_attention_heads': 64,
                                'num_experts': 128,
                                'num_experts_per_tok': 8,
                                'num_hidden_layers': 94,
                                'num_key_value_heads': 4,
                                'output_router_logits': False,
                                'rms_norm_eps': 1e-06,
                                'rope_scaling': None,
                                'rope_theta': 1000000.0,
                                'router_aux_loss_coef': 0.001,
                                'sliding_window': None,
                                'tie_word_embeddings': False,
                                'torch_dtype': 'bfloat16',
                                'transformers_version': '4.51.0',
                                'use_cache': True,
                                'use_sliding_window': False,
                                'vocab_size': 151936}},
 'gemma-2-9b': {'name': 'Gemma 2 9B',
                'hf_repo': 'google/gemma-2-9b',
                'config_source': 'GitHub mlc-ai/mlc-llm, python/mlc_llm/model/model_preset.py, commit '
                                 "79d603f085f50500e9509fa01785ffa7ecfaaa93 (MODEL_PRESETS['gemma2_9b']; Python-dict "
                                 'transcription of the HF config.json)',
                'checkpoint_total_size': 18483411968,
                'checkpoint_dtype': 'bfloat16',
                'checkpoint_source': 'Secondary: stored notes (index file ids 68304063591 and 65844477187, Chinese '
                                     'audit notes of a local gemma-2-9b-family download: '
                                     "'model.safetensors.index.json ... 464 tensor entries, 4 shards, "
                                     "total_size=18483411968', 42 layers, hidden 3584, vocab 256000, bf16) and a "
                                     'catalog file (id 63536480205: paramCount 9241705984, onDiskBytes 18483411968, '
                                     'source safetensors-index). Whether these refer to the base or the -it repo was '
                                     'not confirmed (identical architecture).',
                'notes': 'Key set/values identical to the google/gemma-2-9b-it config.json quoted in a vLLM issue '
                         '(stored file id 56964966687: same head_dim 256, query_pre_attn_scalar 256, sliding_window '
                         '4096, sliding_window_size 4096, cache_implementation hybrid, transformers 4.42.0.dev0). '
                         'Base vs -it may differ only in eos/other token ids; mlc does not say which repo it copied. '
                         'Original (June-2024) revision.',
                'config': {'architectures': ['Gemma2ForCausalLM'],
                           'attention_bias': False,
                           'attention_dropout': 0.0,
                           'attn_logit_softcapping': 50.0,
                           'bos_token_id': 2,
                           'cache_implementation': 'hybrid',
                           'eos_token_id': 1,
                           'final_logit_softcapping': 30.0,
                           'head_dim': 256,
                           'hidden_act': 'gelu_pytorch_tanh',
                           'hidden_activation': 'gelu_pytorch_tanh',
                           'hidden_size': 3584,
                           'initializer_range': 0.02,
                           'intermediate_size': 14336,
                           'max_position_embeddings': 8192,
                           'model_type': 'gemma2',
                           'num_attention_heads': 16,
                           'num_hidden_layers': 42,
                           'num_key_value_heads': 8,
                           'pad_token_id': 0,
                           'query_pre_attn_scalar': 256,
                           'rms_norm_eps': 1e-06,
                           'rope_theta': 10000.0,
                           'sliding_window': 4096,
                           'sliding_window_size': 4096,
                           'torch_dtype': 'bfloat16',
                           'transformers_version': '4.42.0.dev0',
                           'use_cache': True,
                           'vocab_size': 256000}},
 'gemma-2-27b': {'name': 'Gemma 2 27B',
                 'hf_repo': 'google/gemma-2-27b',
                 'config_source': 'GitHub mlc-ai/mlc-llm, python/mlc_llm/model/model_preset.py, commit '
                                  "79d603f085f50500e9509fa01785ffa7ecfaaa93 (MODEL_PRESETS['gemma2_27b']; "
                                  'Python-dict transcription of the HF config.json)',
                 'checkpoint_total_size': None,
                 'checkpoint_dtype': None,
                 'checkpoint_source': None,
                 'notes': "Includes '_attn_implementation': 'eager' as in the published file. Matches (except "
                          'torch_dtype/transformers_version/rope_parameters edits) a Gemma2 27B fixture in a '
                          'Megatron-Bridge-style test (file id 52328577661). A vLLM issue (file id 56987265480) '
                          'shows a DIFFERENT gemma2-27b-derived config with max_position_embeddings 32768 / '
                          'rope_theta 160000 - that is a user/fine-tuned variant, not google/gemma-2-27b.',
                 'config': {'architectures': ['Gemma2ForCausalLM'],
                            'attention_bias': False,
                            'attention_dropout': 0.0,
                            'attn_logit_softcapping': 50.0,
                            'bos_token_id': 2,
                            'cache_implementation': 'hybrid',
                            'eos_token_id': 1,
                            'final_logit_softcapping': 30.0,
                            'head_dim': 128,
                            'hidden_act': 'gelu_pytorch_tanh',
                            'hidden_activation': 'gelu_pytorch_tanh',
                            'hidden_size': 4608,
                            'initializer_range': 0.02,
                            'intermediate_size': 36864,
                            'max_position_embeddings': 8192,
                            'model_type': 'gemma2',
                            'num_attention_heads': 32,
                            'num_hidden_layers': 46,
                            'num_key_value_heads': 16,
                            'pad_token_id': 0,
                            'query_pre_attn_scalar': 144,
                            'rms_norm_eps': 1e-06,
                            'rope_theta': 10000.0,
                            'sliding_window': 4096,
                            'sliding_window_size': 4096,
                            'torch_dtype': 'bfloat16',
                            'transformers_version': '4.42.0.dev0',
                            'use_cache': True,
                            'vocab_size': 256000,
                            '_attn_implementation': 'eager'}},
 'gemma-3-1b': {'name': 'Gemma 3 1B',
                'hf_repo': 'google/gemma-3-1b-it',
                'config_source': 'GitHub mlc-ai/mlc-llm, python/mlc_llm/model/model_preset.py, commit '
                                 "79d603f085f50500e9509fa01785ffa7ecfaaa93 (MODEL_PRESETS['gemma3_1b_it']; "
                                 'Python-dict transcription of the HF config.json)',
                'checkpoint_total_size': None,
                'checkpoint_dtype': None,
                'checkpoint_source': None,
                'notes': 'gemma3_text config of google/gemma-3-1b-it as transcribed by mlc-llm (eos [1,106], '
                         'sliding_window 512, sliding_window_pattern 6, rope_local_base_freq 10000, transformers '
                         '4.50.0.dev0). A TensorRT-LLM-style test file (id 926331895) has the same key set for the '
                         '1B text config but with num_hidden_layers 6 / sliding_window 4 (test-reduced). Single '
                         'model.safetensors checkpoint; size not found.',
                'config': {'architectures': ['Gemma3ForCausalLM'],
                           'attention_bias': False,
                           'attention_dropout': 0.0,
                           'attn_logit_softcapping': None,
                           'bos_token_id': 2,
                           'cache_implementation': 'hybrid',
                           'eos_token_id': [1, 106],
                           'final_logit_softcapping': None,
                           'head_dim': 256,
                           'hidden_activation': 'gelu_pytorch_tanh',
                           'hidden_size': 1152,
                           'initializer_range': 0.02,
                           'intermediate_size': 6912,
                           'max_position_embeddings': 32768,
                           'model_type': 'gemma3_text',
                           'num_attention_heads': 4,
                           'num_hidden_layers': 26,
                           'num_key_value_heads': 1,
                           'pad_token_id': 0,
                           'query_pre_attn_scalar': 256,
                           'rms_norm_eps': 1e-06,
                           'rope_local_base_freq': 10000,
                           'rope_scaling': None,
                           'rope_theta': 1000000,
                           'sliding_window': 512,
                           'sliding_window_pattern': 6,
                           'torch_dtype': 'bfloat16',
                           'transformers_version': '4.50.0.dev0',
                           'use_cache': True,
                           'vocab_size': 262144}},
 'phi-3-mini-4k': {'name': 'Phi-3 mini 4k',
                   'hf_repo': 'microsoft/Phi-3-mini-4k-instruct',
                   'config_source': 'Stored public Python file (index file id 4884378620; an ONNX-graph builder with '
                                    "'phi3_mini = {...}' JSON literal, using false/true/null aliases)",
                   'checkpoint_total_size': None,
                   'checkpoint_dtype': None,
                   'checkpoint_source': None,
                   'notes': 'Copied verbatim from the phi3_mini literal (key order preserved, incl. the oddly placed '
                            "'attention_bias' before 'vocab_size', which matches the mid-2024 HF revision). Single "
                            'source.',
                   'config': {'_name_or_path': 'Phi-3-mini-4k-instruct',
                              'architectures': ['Phi3ForCausalLM'],
                              'attention_dropout': 0.0,
                              'auto_map': {'AutoConfig': 'configuration_phi3.Phi3Config',
                                           'AutoModelForCausalLM': 'modeling_phi3.Phi3ForCausalLM'},
                              'bos_token_id': 1,
                              'embd_pdrop': 0.0,
                              'eos_token_id': 32000,
                              'hidden_act': 'silu',
                              'hidden_size': 3072,
                              'initializer_range': 0.02,
                              'intermediate_size': 8192,
                              'max_position_embeddings': 4096,
                              'model_type': 'phi3',
                              'num_attention_heads': 32,
                              'num_hidden_layers': 32,
                              'num_key_value_heads': 32,
                              'original_max_position_embeddings': 4096,
                              'pad_token_id': 32000,
                              'resid_pdrop': 0.0,
                              'rms_norm_eps': 1e-05,
                              'rope_scaling': None,
                              'rope_theta': 10000.0,
                              'sliding_window': 2047,
                              'tie_word_embeddings': False,
                              'torch_dtype': 'bfloat16',
                              'transformers_version': '4.40.2',
                              'use_cache': True,
                              'attention_bias': False,
                              'vocab_size': 32064}},
 'phi-3-medium-4k': {'name': 'Phi-3 medium 4k',
                     'hf_repo': 'microsoft/Phi-3-medium-4k-instruct',
                     'config_source': 'Stored public Python test file (index file id 22133831111; Scale '
                                      'llm-engine-style hardware-inference test, '
                                      "'fake_llm_artifact_gateway.model_config = {...}' used for phi-3-medium)",
                     'checkpoint_total_size': None,
                     'checkpoint_dtype': None,
                     'checkpoint_source': None,
                     'notes': 'Medium confidence: Python-literal copy (None/False/True converted to JSON). The '
                              'fixture does not name the exact repo; values (4096 ctx, sliding_window 2047, '
                              'rope_scaling null, 40 heads/10 kv) are those of the 4k-instruct variant. It lacks '
                              "'_name_or_path'/'auto_map' keys the HF file may carry. Single source.",
                     'config': {'architectures': ['Phi3ForCausalLM'],
                                'attention_dropout': 0.0,
                                'bos_token_id': 1,
                                'embd_pdrop': 0.0,
                                'eos_token_id': 32000,
                                'hidden_act': 'silu',
                                'hidden_size': 5120,
                                'initializer_range': 0.02,
                                'intermediate_size': 17920,
                                'max_position_embeddings': 4096,
                                'model_type': 'phi3',
                                'num_attention_heads': 40,
                                'num_hidden_layers': 40,
                                'num_key_value_heads': 10,
                                'original_max_position_embeddings': 4096,
                                'pad_token_id': 32000,
                                'resid_pdrop': 0.0,
                                'rms_norm_eps': 1e-05,
                                'rope_scaling': None,
                                'rope_theta': 10000.0,
                                'sliding_window': 2047,
                                'tie_word_embeddings': False,
                                'torch_dtype': 'bfloat16',
                                'transformers_version': '4.39.3',
                                'use_cache': True,
                                'attention_bias': False,
                                'vocab_size': 32064}},
 'phi-4': {'name': 'Phi-4 (14B)',
           'hf_repo': 'microsoft/phi-4',
           'config_source': "Stored public Markdown tutorial (index file id 58256788114, Chinese 'AI 概述' notes) "
                            'quoting the microsoft/phi-4 config.json',
           'checkpoint_total_size': None,
           'checkpoint_dtype': None,
           'checkpoint_source': None,
           'notes': 'Medium confidence: the tutorial annotates some lines with // comments (stripped here); values '
                    'otherwise copied as shown. Single source. A Rust test (file id 58758253061) independently gives '
                    'the same core dims (5120/40/40/10/17920/100352/16384/rope_theta 250000). Note pad_token_id '
                    '100257 per this copy.',
           'config': {'_name_or_path': 'microsoft/phi-4',
                      'architectures': ['Phi3ForCausalLM'],
                      'attention_bias': False,
                      'attention_dropout': 0.0,
                      'auto_map': {},
                      'bos_token_id': 100257,
                      'embd_pdrop': 0.0,
                      'eos_token_id': 100257,
                      'hidden_act': 'silu',
                      'hidden_size': 5120,
                      'initializer_range': 0.02,
                      'intermediate_size': 17920,
                      'max_position_embeddings': 16384,
                      'model_type': 'phi3',
                      'num_attention_heads': 40,
                      'num_hidden_layers': 40,
                      'num_key_value_heads': 10,
                      'original_max_position_embeddings': 16384,
                      'pad_token_id': 100257,
                      'resid_pdrop': 0.0,
                      'rms_norm_eps': 1e-05,
                      'rope_scaling': None,
                      'rope_theta': 250000,
                      'sliding_window': None,
                      'tie_word_embeddings': False,
                      'torch_dtype': 'bfloat16',
                      'transformers_version': '4.47.0',
                      'use_cache': True,
                      'vocab_size': 100352}},
 'deepseek-v3': {'name': 'DeepSeek-V3',
                 'hf_repo': 'deepseek-ai/DeepSeek-V3',
                 'config_source': 'GitHub ai-dynamo/aiconfigurator, '
                                  'aic-core/src/aiconfigurator_core/model_configs/deepseek-ai--DeepSeek-V3_config.json, '
                                  'commit 095f58a51c4ca8e61b66ec108d86f223f8d559ce (file first added in commit '
                                  "0cbef0da0 'add pre-downloaded config.json files', 2025-10-30)",
                 'checkpoint_total_size': None,
                 'checkpoint_dtype': 'float8_e4m3fn',
                 'checkpoint_source': None,
                 'notes': 'Verbatim JSON file downloaded by aiconfigurator in Oct 2025 (current HF revision). '
                          'REVISION NOTE: older copies of the DeepSeek-V3 config (e.g. the vllm-ascend doc copy, '
                          'file id 55793271814, and an EasyDeL test, file id 20093507594) additionally contain '
                          "'aux_loss_alpha': 0.001, 'pretraining_tp': 1, 'seq_aux': true - these keys were in the "
                          "original Dec-2024 revision and later removed. alibaba/InferSim's copy renames "
                          'n_routed_experts/n_shared_experts to num_* and has transformers 4.46.3 - edited, do not '
                          'use. Checkpoint is FP8 (e4m3, 128x128 block scales) except norms/embeddings/gates; config '
                          'torch_dtype says bfloat16.',
                 'config': {'architectures': ['DeepseekV3ForCausalLM'],
                            'attention_bias': False,
                            'attention_dropout': 0.0,
                            'auto_map': {'AutoConfig': 'configuration_deepseek.DeepseekV3Config',
                                         'AutoModel': 'modeling_deepseek.DeepseekV3Model',
                                         'AutoModelForCausalLM': 'modeling_deepseek.DeepseekV3ForCausalLM'},
                            'bos_token_id': 0,
                            'eos_token_id': 1,
                            'ep_size': 1,
                            'first_k_dense_replace': 3,
                            'hidden_act': 'silu',
                            'hidden_size': 7168,
                            'initializer_range': 0.02,
                            'intermediate_size': 18432,
                            'kv_lora_rank': 512,
                            'max_position_embeddings': 163840,
                            'model_type': 'deepseek_v3',
                            'moe_intermediate_size': 2048,
                            'moe_layer_freq': 1,
                            'n_group': 8,
                            'n_routed_experts': 256,
                            'n_shared_experts': 1,
                            'norm_topk_prob': True,
                            'num_attention_heads': 128,
                            'num_experts_per_tok': 8,
                            'num_hidden_layers': 61,
                            'num_key_value_heads': 128,
                            'num_nextn_predict_layers': 1,
                            'q_lora_rank': 1536,
                            'qk_nope_head_dim': 128,
                            'qk_rope_head_dim': 64,
                            'quantization_config': {'activation_scheme': 'dynamic',
                                                    'fmt': 'e4m3',
                                                    'quant_method': 'fp8',
                                                    'weight_block_size': [128, 128]},
                            'rms_norm_eps': 1e-06,
                            'rope_scaling': {'beta_fast': 32,
                                             'beta_slow': 1,
                                             'factor': 40,
                                             'mscale': 1.0,
                                             'mscale_all_dim': 1.0,
                                             'original_max_position_embeddings': 4096,
                                             'type': 'yarn'},
                            'rope_theta': 10000,
                            'routed_scaling_factor': 2.5,
                            'scoring_func': 'sigmoid',
                            'tie_word_embeddings': False,
                            'topk_group': 4,
                            'topk_method': 'noaux_tc',
                            'torch_dtype': 'bfloat16',
                            'transformers_version': '4.33.1',
                            'use_cache': True,
                            'v_head_dim': 128,
                            'vocab_size': 129280}}}
