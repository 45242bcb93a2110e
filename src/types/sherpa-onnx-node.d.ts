// Minimal typings for sherpa-onnx-node 1.13.x (the package ships none). Only what hark uses;
// field names follow the package's own JSDoc in node_modules/sherpa-onnx-node/types.js.
declare module "sherpa-onnx-node" {
  export interface SileroVadModelConfig {
    model: string;
    threshold?: number;
    minSilenceDuration?: number;
    minSpeechDuration?: number;
    windowSize?: number;
    maxSpeechDuration?: number;
  }
  export interface VadConfig {
    sileroVad?: SileroVadModelConfig;
    tenVad?: SileroVadModelConfig;
    sampleRate?: number;
    numThreads?: number;
    provider?: string;
    debug?: boolean | number;
  }
  export interface SpeechSegment {
    /** Index of the first sample, counted from the first sample the detector accepted. */
    start: number;
    samples: Float32Array;
  }
  export class Vad {
    constructor(config: VadConfig, bufferSizeInSeconds: number);
    acceptWaveform(samples: Float32Array): void;
    isEmpty(): boolean;
    isDetected(): boolean;
    pop(): void;
    clear(): void;
    front(enableExternalBuffer?: boolean): SpeechSegment;
    reset(): void;
    flush(): void;
  }

  export interface OfflineTtsVitsModelConfig {
    model: string;
    lexicon?: string;
    tokens: string;
    dataDir?: string;
    noiseScale?: number;
    noiseScaleW?: number;
    lengthScale?: number;
  }
  export interface OfflineTtsKokoroModelConfig {
    model: string;
    voices: string;
    tokens: string;
    dataDir?: string;
    lengthScale?: number;
    lexicon?: string;
    lang?: string;
  }
  export interface OfflineTtsMatchaModelConfig {
    acousticModel: string;
    vocoder: string;
    lexicon?: string;
    tokens: string;
    dataDir?: string;
    noiseScale?: number;
    lengthScale?: number;
  }
  export interface OfflineTtsModelConfig {
    vits?: OfflineTtsVitsModelConfig;
    kokoro?: OfflineTtsKokoroModelConfig;
    matcha?: OfflineTtsMatchaModelConfig;
    numThreads?: number;
    debug?: boolean | number;
    provider?: string;
  }
  export interface OfflineTtsConfig {
    model: OfflineTtsModelConfig;
    maxNumSentences?: number;
    silenceScale?: number;
    ruleFsts?: string;
  }
  export interface GeneratedAudio {
    samples: Float32Array;
    sampleRate: number;
  }
  export interface TtsRequest {
    text: string;
    sid: number;
    speed: number;
    enableExternalBuffer?: boolean;
  }
  export class OfflineTts {
    constructor(config: OfflineTtsConfig);
    static createAsync(config: OfflineTtsConfig): Promise<OfflineTts>;
    readonly numSpeakers: number;
    readonly sampleRate: number;
    generate(request: TtsRequest): GeneratedAudio;
    generateAsync(request: TtsRequest): Promise<GeneratedAudio>;
  }

  export class LinearResampler {
    constructor(inputSampleRate: number, outputSampleRate: number);
    resample(samples: Float32Array): Float32Array;
    flush(samples: Float32Array): Float32Array;
    reset(): void;
  }

  export const version: string;
}
