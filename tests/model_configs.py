"""config.json files the tests build architectures from, written once for every test file that needs them."""

# MiniCPM3-4B's published config.json before its model_type was added, cut to the keys that give its shape: no
# model_type (the remote config class in auto_map names it) and no v_head_dim (the class makes it hidden_size //
# num_attention_heads). 62 layers of 40 heads; K of 64 + 32 per head, V of 64; a latent of 256 + 32.
MINICPM3_4B = {"architectures": ["MiniCPM3ForCausalLM"], "auto_map": {"AutoConfig": "configuration_minicpm.MiniCPM3Config"},
               "hidden_size": 2560, "num_hidden_layers": 62, "intermediate_size": 6400, "num_attention_heads": 40,
               "num_key_value_heads": 40, "qk_nope_head_dim": 64, "qk_rope_head_dim": 32, "q_lora_rank": 768,
               "kv_lora_rank": 256, "vocab_size": 73448, "max_position_embeddings": 32768}
