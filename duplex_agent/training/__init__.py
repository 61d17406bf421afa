"""Our own IEAT model: the team-written corpus (corpus.py), LoRA training on the bundled
Gemma-3-270M (train.py) and the conversion of the adapter to llama.cpp's GGUF (convert.py).
Training needs the ``train`` extra (transformers, peft); nothing here runs in the agent."""
