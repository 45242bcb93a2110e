// The browser's microphone → 16 kHz mono s16le chunks of about 20 ms, posted to the page, which sends
// them over the console's socket. Resamples (linear) when the audio context does not run at 16 kHz.
class PcmCapture extends AudioWorkletProcessor {
  constructor(options) {
    super();
    this.target = (options.processorOptions && options.processorOptions.targetRate) || 16000;
    this.step = sampleRate / this.target; // input samples per output sample
    this.pos = 0; // position of the next output sample, in input samples of the current block
    this.last = 0; // the previous block's last sample (interpolation across blocks)
    this.out = new Int16Array(320);
    this.fill = 0;
  }

  process(inputs) {
    const ch = inputs[0] && inputs[0][0];
    if (!ch) return true;
    while (this.pos < ch.length) {
      const i = Math.floor(this.pos);
      const f = this.pos - i;
      const a = i === 0 && f < 0 ? this.last : ch[i];
      const b = i + 1 < ch.length ? ch[i + 1] : ch[i];
      const x = Math.max(-1, Math.min(1, a + (b - a) * f));
      this.out[this.fill++] = x < 0 ? x * 32768 : x * 32767;
      if (this.fill === this.out.length) {
        this.port.postMessage(this.out.buffer, [this.out.buffer]);
        this.out = new Int16Array(320);
        this.fill = 0;
      }
      this.pos += this.step;
    }
    this.pos -= ch.length;
    this.last = ch[ch.length - 1];
    return true;
  }
}

registerProcessor("pcm-capture", PcmCapture);
