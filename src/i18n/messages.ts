import type { Catalogue, Language, MessageKey, MessageParams, ParamsArgument } from "./catalogue";
import { en } from "./en";
import { ru } from "./ru";

export type { Language, MessageKey, ParamsArgument } from "./catalogue";

const catalogues: Record<Language, Catalogue> = { en, ru };

/**
 * Text for people, not yet in any language: errors carry it, and the response renders it in the
 * language its request prefers.
 */
export abstract class LocalizedText {
  abstract in(language: Language): string;
}

/** A catalogue message with its parameters. */
export class Message<K extends MessageKey = MessageKey> extends LocalizedText {
  constructor(
    readonly key: K,
    readonly params: MessageParams<K>,
  ) {
    super();
  }

  in(language: Language): string {
    return renderMessage(language, this.key, this.params);
  }
}

/** `message("not_found")`, `message("throttled", { seconds: 3 })`: the parameters are typed. */
export const message = <K extends MessageKey>(key: K, ...[params]: ParamsArgument<K>) =>
  new Message(key, params as MessageParams<K>);

/** A message's text in a language. */
export function renderMessage<K extends MessageKey>(
  language: Language,
  key: K,
  params: MessageParams<K>,
): string {
  // The catalogue's type ties each key to its parameters; TypeScript can't follow that through K.
  const entry = catalogues[language][key] as string | ((p: MessageParams<K>) => string);
  return typeof entry === "string" ? entry : entry(params);
}

export const isMessageKey = (text: string): text is MessageKey => Object.hasOwn(en, text);

/** Replaces every LocalizedText inside a response body by its text in `language`. */
export function renderMessages(value: unknown, language: Language): unknown {
  if (value instanceof LocalizedText) return value.in(language);
  if (Array.isArray(value)) return value.map((item) => renderMessages(item, language));
  if (isPlainObject(value)) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, renderMessages(item, language)]),
    );
  }
  return value;
}

const isPlainObject = (value: unknown): value is object =>
  value !== null &&
  typeof value === "object" &&
  [Object.prototype, null].includes(Object.getPrototypeOf(value));
