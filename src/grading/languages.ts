/** The languages code questions may be written in; each has a harness (grading/harness/<language>/). */
export const codeLanguages = ["python", "javascript"] as const;
export type CodeLanguage = (typeof codeLanguages)[number];
