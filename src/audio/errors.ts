/**
 * A problem with audio input or output that the user can act on: unreadable file, unsupported
 * encoding, missing capture/playback tool, missing model file. The message is one line and names
 * the file or tool; the CLI prints it as `hark: <message>` and exits 1.
 */
export class AudioError extends Error {
  override name = "AudioError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message.split("\n")[0], options);
  }
}
