// A name → factory registry for one stage of the pipeline (ASR engines, voices, understanders, device
// buses), as node-llama-cpp resolves chat wrappers by name: each stage registers its implementations
// under short names, a spec string picks one ("grammar", "sherpa:zipformer", "piper:/m/voice.onnx"), and
// an unknown name is a one-line error that lists the names there are.
//
// A spec is a registered name as it stands ("sherpa:zipformer" may be registered whole), else
// "name:variant" for an entry that takes variants (the voice of a TTS engine, a model path); the
// factory gets the variant as its second argument.

/** What an entry makes of the text after "name:". */
export type VariantUse = "none" | "optional" | "required";

export type Factory<C, R> = (config: C, variant: string | undefined) => R;

export interface RegistryEntry<C, R> {
  name: string;
  factory: Factory<C, R>;
  /** none: only the bare name reaches this entry; optional / required: "name:variant" does too. */
  variant: VariantUse;
  /** One line for listings and help texts. */
  description?: string;
}

export class Registry<C, R> {
  private readonly entries = new Map<string, RegistryEntry<C, R>>();

  /**
   * @param stage what one entry is, for messages: "ASR engine", "voice engine", "understander", "device bus"
   * @param error the error class the stage reports failures with (default Error)
   */
  constructor(
    readonly stage: string,
    private readonly error: (message: string) => Error = (m) => new Error(m),
  ) {}

  /** Add (or replace) an entry. */
  register(name: string, factory: Factory<C, R>, options: { variant?: VariantUse; description?: string } = {}): this {
    if (!name || /\s/.test(name)) throw new Error(`${this.stage} names are one word, got ${JSON.stringify(name)}`);
    this.entries.set(name, { name, factory, variant: options.variant ?? "none", ...(options.description ? { description: options.description } : {}) });
    return this;
  }

  /** The registered names, in registration order. */
  names(): string[] {
    return [...this.entries.keys()];
  }

  /** The entry registered under exactly this name. */
  get(name: string): RegistryEntry<C, R> | undefined {
    return this.entries.get(name);
  }

  has(spec: string): boolean {
    return this.lookup(spec) !== undefined;
  }

  /** The entry and variant a spec names; throws the stage's one-line error naming the known names. */
  resolve(spec: string): { entry: RegistryEntry<C, R>; variant?: string } {
    const found = this.lookup(spec);
    if (!found) throw this.unknown(spec);
    if (found.entry.variant === "required" && found.variant === undefined) throw this.error(`${this.stage} "${spec}" needs a variant: ${found.entry.name}:…`);
    return found;
  }

  /** Build what the spec names with this configuration. */
  create(spec: string, config: C): R {
    const { entry, variant } = this.resolve(spec);
    return entry.factory(config, variant);
  }

  /** The error for a spec no entry answers: `unknown ASR engine "x" (known: grammar, sherpa, whisper)`. */
  unknown(spec: string): Error {
    return this.error(`unknown ${this.stage} "${spec}" (known: ${this.names().join(", ") || "none"})`);
  }

  private lookup(spec: string): { entry: RegistryEntry<C, R>; variant?: string } | undefined {
    const exact = this.entries.get(spec);
    if (exact) return { entry: exact };
    const colon = spec.indexOf(":");
    if (colon <= 0) return undefined;
    const entry = this.entries.get(spec.slice(0, colon));
    if (!entry || entry.variant === "none") return undefined;
    const variant = spec.slice(colon + 1);
    return variant ? { entry, variant } : { entry };
  }
}
