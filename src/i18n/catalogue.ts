import type { en } from "./en";

/** The languages messages for people come in (CONTRACT §12). */
export type Language = "en" | "ru";

/** Every language's messages: the same keys as English, each with English's parameters. */
export type Catalogue = typeof en;
export type MessageKey = keyof Catalogue;

/** The parameters a message takes (none for a plain text). */
export type MessageParams<K extends MessageKey> = Catalogue[K] extends (params: infer P) => string
  ? P
  : undefined;

/** The parameters of a function taking a message key: none, or the key's. */
export type ParamsArgument<K extends MessageKey> =
  MessageParams<K> extends undefined ? [] : [params: MessageParams<K>];
