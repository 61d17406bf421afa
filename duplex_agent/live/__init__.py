"""Live drivers: the browser call server and the microphone demo.

Both run the same ``Session`` in a ``CallWorker`` thread fed 20 ms blocks from a
bounded queue; they differ only in where audio comes from and goes to.
"""
