"""The IEAT LoRA adapter for Gemma-3-270M (llama.cpp GGUF), its SHA-256 and model card."""
