/**
 * The playground's Web Worker: all training happens here, so the page stays responsive. It only connects the
 * worker's messages to playground/runner.ts; Vite inlines it into the page (a blob URL), so it also starts
 * from a page opened from disk, where Chromium refuses a worker script file.
 */
import { Runner, type FromWorker, type ToWorker } from '../../playground/runner.js';

const scope = globalThis as unknown as { postMessage(message: FromWorker): void; onmessage: ((event: MessageEvent<ToWorker>) => void) | null };
const runner = new Runner((message) => scope.postMessage(message));
scope.onmessage = (event) => void runner.handle(event.data);
