"""duplex-agent: a full-duplex empathetic spoken dialogue agent that runs on a CPU.

Importing this package is cheap: heavy libraries (onnxruntime, CTranslate2,
llama.cpp, torch) load only inside the functions that need them.
"""

import os

# llama.cpp and torch use OpenMP, whose idle threads spin-wait by default. On 2 cores
# that spinning stole ~0.4 s from the perception step right after every LLM call
# (benchmarks/thinking_latency.py: final -> thought 437 ms spinning, 40 ms passive).
# The runtime reads this when it loads, so it is set before any of them is imported.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

__version__ = "0.1.0"
