// Agent playback: queued 16 kHz float chunks, upsampled to the context's rate.
// The message "flush" drops everything queued at once (the user cut in) and is acknowledged
// with {type: "flushed", played, dropped}; every 100 ms the page gets
// {type: "report", played, queued, playing, level} (samples at 16 kHz; level = output RMS).
class Playback16k extends AudioWorkletProcessor {
  constructor() {
    super();
    this.chunks = [];
    this.pos = 0;
    this.step = 16000 / sampleRate;
    this.played = 0;
    this.sinceReport = 0;
    this.energy = 0;
    this.port.onmessage = (event) => {
      if (event.data === "flush") this.flush();
      else this.chunks.push(event.data);
    };
  }

  queued() {
    let total = -Math.floor(this.pos);
    for (const chunk of this.chunks) total += chunk.length;
    return Math.max(0, total);
  }

  flush() {
    const dropped = this.queued();
    if (this.chunks.length) this.played += Math.floor(this.pos);
    this.chunks = [];
    this.pos = 0;
    this.port.postMessage({ type: "flushed", played: this.played, dropped });
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
      this.energy += out[i] * out[i];
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
      const level = Math.sqrt(this.energy / this.sinceReport);
      this.sinceReport = 0;
      this.energy = 0;
      this.port.postMessage({ type: "report", played: this.played, queued: this.queued(),
                              playing: this.chunks.length > 0, level });
    }
    return true;
  }
}

registerProcessor("playback-16k", Playback16k);
