// Agent playback: queued 16 kHz float chunks, upsampled to the context's rate.
// The message "flush" drops everything queued at once (the user cut in).
class Playback16k extends AudioWorkletProcessor {
  constructor() {
    super();
    this.chunks = [];
    this.pos = 0;
    this.step = 16000 / sampleRate;
    this.played = 0;
    this.sinceReport = 0;
    this.port.onmessage = (event) => {
      if (event.data === "flush") {
        this.chunks = [];
        this.pos = 0;
      } else {
        this.chunks.push(event.data);
      }
    };
  }

  process(inputs, outputs) {
    const out = outputs[0][0];
    for (let i = 0; i < out.length; i++) {
      const chunk = this.chunks[0];
      if (!chunk) {
        out[i] = 0;
        continue;
      }
      const k = Math.floor(this.pos);
      const next = k + 1 < chunk.length ? chunk[k + 1] : chunk[k];
      out[i] = chunk[k] + (next - chunk[k]) * (this.pos - k);
      this.pos += this.step;
      if (this.pos >= chunk.length) {
        this.pos -= chunk.length;
        this.played += chunk.length;
        this.chunks.shift();
      }
    }
    for (let c = 1; c < outputs[0].length; c++) outputs[0][c].set(out);
    this.sinceReport += out.length;
    if (this.sinceReport >= sampleRate / 10) {
      this.sinceReport = 0;
      this.port.postMessage({ played: this.played, queued: this.chunks.length });
    }
    return true;
  }
}

registerProcessor("playback-16k", Playback16k);
