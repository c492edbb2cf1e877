/**
 * The model a server is serving right now. A request reads `current` once when it starts and uses that
 * model to the end, so a swap (one reference assignment) is atomic: requests in flight finish on the old
 * model and every later request sees the new one.
 */
import { type ServedModel } from './scoring-model';

export class ModelSlot {
  #current: ServedModel;

  constructor(initial: ServedModel) {
    this.#current = initial;
  }

  get current(): ServedModel {
    return this.#current;
  }

  /** Installs `next` and returns the model it replaced. */
  swap(next: ServedModel): ServedModel {
    const previous = this.#current;
    this.#current = next;
    return previous;
  }
}
