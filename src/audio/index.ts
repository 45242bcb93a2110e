// Audio in and out for hark: sources (file, stdin, mic), resampling to 16 kHz mono, VAD and
// endpointing, noise mixing for benchmarks, WAV writing, playback and test fixtures.
export { AudioError } from "./errors.js";
export * from "./source.js";
export { Resampler, resample } from "./resample.js";
export { encodeWav16, parseWavHeader, decodeInterleaved, type PcmFormat, type WavHeader, type SampleEncoding } from "./wav.js";
export * from "./vad.js";
export { mixNoise, maxFrameEnergy, seededRandom, frameEnergySnr, ENERGY_FRAME, type MixOptions } from "./mix.js";
export { play, type PlayOptions } from "./playback.js";
export * from "./fixtures.js";
export * from "./negatives.js";
