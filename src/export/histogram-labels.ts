import type { AttemptsMode } from "../domain/statistics";
import type { Language } from "../http/accept-language";

/** The words of the histogram image, in each language of the API's messages. */
export interface ChartLabels {
  counted: Record<AttemptsMode, string>;
  countAxis: Record<AttemptsMode, string>;
  scoreAxis: (maxPossible: string) => string;
  totals: (completions: string, students: string) => string;
  figures: (figures: {
    mean: string;
    median: string;
    stdev: string;
    min: string;
    max: string;
  }) => string;
  noCompletions: string;
  noPoints: string;
}

export const histogramLabels: Record<Language, ChartLabels> = {
  en: {
    counted: {
      latest: "each student's latest attempt",
      best: "each student's best attempt",
      all: "every attempt",
    },
    countAxis: { latest: "Students", best: "Students", all: "Completions" },
    scoreAxis: (max) => `Score, points (out of ${max})`,
    totals: (completions, students) =>
      `${completions} ${completions === "1" ? "completion" : "completions"} by ${students} ${students === "1" ? "student" : "students"}`,
    figures: ({ mean, median, stdev, min, max }) =>
      `mean ${mean} · median ${median} · standard deviation ${stdev} · lowest ${min} · highest ${max}`,
    noCompletions: "No completions yet",
    noPoints: "The questions of this test are worth no points",
  },
  ru: {
    counted: {
      latest: "последняя попытка каждого ученика",
      best: "лучшая попытка каждого ученика",
      all: "все попытки",
    },
    countAxis: { latest: "Учеников", best: "Учеников", all: "Попыток" },
    scoreAxis: (max) => `Баллы (из ${max})`,
    totals: (completions, students) => `Попыток: ${completions}, учеников: ${students}`,
    figures: ({ mean, median, stdev, min, max }) =>
      `среднее ${mean} · медиана ${median} · стандартное отклонение ${stdev} · минимум ${min} · максимум ${max}`,
    noCompletions: "Пока нет результатов",
    noPoints: "Вопросы этого теста не приносят баллов",
  },
};
