"""duplex-agent: a full-duplex empathetic spoken dialogue agent that runs on a CPU.

Importing this package is cheap: heavy libraries (onnxruntime, CTranslate2,
llama.cpp, torch) load only inside the functions that need them.
"""

__version__ = "0.1.0"
