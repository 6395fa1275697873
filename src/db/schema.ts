import { sql } from "drizzle-orm";
import {
  type AnySQLiteColumn,
  index,
  integer,
  primaryKey,
  sqliteTable,
  text,
  uniqueIndex,
} from "drizzle-orm/sqlite-core";

const id = () => integer("id").primaryKey({ autoIncrement: true });
/** A row that belongs to a user (a student's work) and goes with them. */
const userOwner = () =>
  integer("user_id")
    .notNull()
    .references((): AnySQLiteColumn => users.id, { onDelete: "cascade" });
/** A row that belongs to a test and goes with it. */
const testOwner = () =>
  integer("test_id")
    .notNull()
    .references((): AnySQLiteColumn => tests.id, { onDelete: "cascade" });
const createdAt = () =>
  integer("created_at", { mode: "timestamp_ms" })
    .notNull()
    .default(sql`(unixepoch('subsec') * 1000)`);

export const organizations = sqliteTable(
  "organizations",
  {
    id: id(),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    ownerId: integer("owner_id")
      .notNull()
      .references((): AnySQLiteColumn => users.id, { onDelete: "restrict" }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("organizations_name_unique").on(sql`lower(${t.name})`),
    index("organizations_owner_idx").on(t.ownerId),
  ],
);

export const users = sqliteTable(
  "users",
  {
    id: id(),
    email: text("email").notNull(),
    passwordHash: text("password_hash").notNull(),
    firstName: text("first_name").notNull(),
    lastName: text("last_name").notNull(),
    photo: text("photo"),
    isTeacher: integer("is_teacher", { mode: "boolean" }).notNull().default(false),
    isActive: integer("is_active", { mode: "boolean" }).notNull().default(true),
    organizationId: integer("organization_id").references((): AnySQLiteColumn => organizations.id, {
      onDelete: "set null",
    }),
    tokenVersion: integer("token_version").notNull().default(0),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("users_email_unique").on(sql`lower(${t.email})`),
    index("users_organization_idx").on(t.organizationId),
  ],
);

/** Refresh tokens that were rotated out; kept until they would have expired anyway. */
export const revokedTokens = sqliteTable(
  "revoked_tokens",
  {
    jti: text("jti").primaryKey(),
    expiresAt: integer("expires_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [index("revoked_tokens_expires_idx").on(t.expiresAt)],
);

export const groups = sqliteTable(
  "groups",
  {
    id: id(),
    organizationId: integer("organization_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("groups_organization_name_unique").on(t.organizationId, t.name)],
);

export const groupMembers = sqliteTable(
  "group_members",
  {
    groupId: integer("group_id")
      .notNull()
      .references(() => groups.id, { onDelete: "cascade" }),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
  },
  (t) => [
    primaryKey({ columns: [t.groupId, t.userId] }),
    index("group_members_user_idx").on(t.userId),
  ],
);

export const showResultsLevels = ["score", "points", "full"] as const;
export type ShowResults = (typeof showResultsLevels)[number];

export const tests = sqliteTable(
  "tests",
  {
    id: id(),
    name: text("name").notNull(),
    creatorId: integer("creator_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    organizationId: integer("organization_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    publicUuid: text("public_uuid").notNull(),
    /** Bumped whenever the questions or the groups of the test change: keys cached test trees. */
    revision: integer("revision").notNull().default(0),
    // Settings (CONTRACT §9); their defaults are the behaviour from before they existed.
    opensAt: integer("opens_at", { mode: "timestamp_ms" }),
    closesAt: integer("closes_at", { mode: "timestamp_ms" }),
    /** Seconds per attempt. */
    timeLimit: integer("time_limit"),
    maxAttempts: integer("max_attempts"),
    shuffleQuestions: integer("shuffle_questions", { mode: "boolean" }).notNull().default(false),
    shuffleVariants: integer("shuffle_variants", { mode: "boolean" }).notNull().default(false),
    showResults: text("show_results", { enum: showResultsLevels }).notNull().default("score"),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("tests_public_uuid_unique").on(t.publicUuid),
    index("tests_creator_idx").on(t.creatorId),
    index("tests_organization_idx").on(t.organizationId),
  ],
);

export const testGroups = sqliteTable(
  "test_groups",
  {
    testId: integer("test_id")
      .notNull()
      .references(() => tests.id, { onDelete: "cascade" }),
    groupId: integer("group_id")
      .notNull()
      .references(() => groups.id, { onDelete: "cascade" }),
  },
  (t) => [
    primaryKey({ columns: [t.testId, t.groupId] }),
    index("test_groups_group_idx").on(t.groupId),
  ],
);

export const questionTypes = ["text", "radio", "check", "code"] as const;
export type QuestionType = (typeof questionTypes)[number];

export const questions = sqliteTable(
  "questions",
  {
    id: id(),
    testId: integer("test_id")
      .notNull()
      .references(() => tests.id, { onDelete: "cascade" }),
    text: text("text").notNull(),
    type: text("type", { enum: questionTypes }).notNull(),
    points: integer("points").notNull().default(1),
    numberInTest: integer("number_in_test").notNull(),
    testingCode: text("testing_code"),
    strictScore: integer("strict_score", { mode: "boolean" }),
    language: text("language"),
  },
  (t) => [uniqueIndex("questions_test_number_unique").on(t.testId, t.numberInTest)],
);

export const variants = sqliteTable(
  "variants",
  {
    id: id(),
    questionId: integer("question_id")
      .notNull()
      .references(() => questions.id, { onDelete: "cascade" }),
    text: text("text").notNull(),
    isCorrect: integer("is_correct", { mode: "boolean" }).notNull().default(false),
    position: integer("position").notNull(),
  },
  (t) => [index("variants_question_idx").on(t.questionId, t.position)],
);

export const completionStatuses = ["graded", "grading"] as const;

export const completions = sqliteTable(
  "completions",
  {
    id: id(),
    userId: userOwner(),
    testId: testOwner(),
    score: integer("score").notNull().default(0),
    status: text("status", { enum: completionStatuses }).notNull().default("graded"),
    /** The attempt's number; null for completions stored before attempts were counted. */
    attempt: integer("attempt"),
    /** Arrived after the attempt's deadline and its grace: stored, scored 0. */
    late: integer("late", { mode: "boolean" }).notNull().default(false),
    createdAt: createdAt(),
  },
  (t) => [
    index("completions_test_idx").on(t.testId, t.id),
    index("completions_user_idx").on(t.userId, t.id),
    // A student's completions of a test in the orders statistics rank them: latest, best.
    index("completions_test_user_time_idx").on(t.testId, t.userId, t.createdAt),
    index("completions_test_user_score_idx").on(t.testId, t.userId, t.score, t.createdAt),
    // One completion per attempt: of two submissions racing for one attempt, one is stored.
    uniqueIndex("completions_attempt_unique").on(t.userId, t.testId, t.attempt),
  ],
);

/**
 * A student's attempts at a test, numbered from 1 (after the completions stored before attempts
 * were counted). Submitted when a completion carries its number.
 */
export const attempts = sqliteTable(
  "attempts",
  {
    id: id(),
    userId: userOwner(),
    testId: testOwner(),
    number: integer("number").notNull(),
    /** Its deadline follows from this and the test's settings as they are now (domain/attempts). */
    startedAt: integer("started_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [
    // Two starts racing for one number: one is stored.
    uniqueIndex("attempts_user_test_number_unique").on(t.userId, t.testId, t.number),
    index("attempts_test_idx").on(t.testId),
  ],
);

export const answers = sqliteTable(
  "answers",
  {
    id: id(),
    completionId: integer("completion_id")
      .notNull()
      .references(() => completions.id, { onDelete: "cascade" }),
    questionId: integer("question_id")
      .notNull()
      .references(() => questions.id, { onDelete: "cascade" }),
    pickedVariantId: integer("picked_variant_id").references(() => variants.id, {
      onDelete: "set null",
    }),
    text: text("text"),
    code: text("code"),
    points: integer("points").notNull().default(0),
    isCorrect: integer("is_correct", { mode: "boolean" }),
    runtimeErrors: text("runtime_errors"),
    passed: integer("passed"),
    total: integer("total"),
  },
  (t) => [
    uniqueIndex("answers_completion_question_unique").on(t.completionId, t.questionId),
    index("answers_question_idx").on(t.questionId),
    index("answers_picked_variant_idx").on(t.pickedVariantId),
  ],
);

export const answerVariants = sqliteTable(
  "answer_variants",
  {
    answerId: integer("answer_id")
      .notNull()
      .references(() => answers.id, { onDelete: "cascade" }),
    variantId: integer("variant_id")
      .notNull()
      .references(() => variants.id, { onDelete: "cascade" }),
  },
  (t) => [
    primaryKey({ columns: [t.answerId, t.variantId] }),
    index("answer_variants_variant_idx").on(t.variantId),
  ],
);

export const gradingJobStates = ["queued", "leased", "done", "failed"] as const;
export type GradingJobState = (typeof gradingJobStates)[number];

/** The Node runtime's grading queue: one job per code answer to grade. */
export const gradingJobs = sqliteTable(
  "grading_jobs",
  {
    id: id(),
    answerId: integer("answer_id")
      .notNull()
      .references(() => answers.id, { onDelete: "cascade" }),
    completionId: integer("completion_id")
      .notNull()
      .references(() => completions.id, { onDelete: "cascade" }),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    state: text("state", { enum: gradingJobStates }).notNull().default("queued"),
    attempts: integer("attempts").notNull().default(0),
    leaseToken: text("lease_token"),
    leaseUntil: integer("lease_until", { mode: "timestamp_ms" }),
    lastError: text("last_error"),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("grading_jobs_answer_unique").on(t.answerId),
    index("grading_jobs_state_idx").on(t.state, t.id),
    index("grading_jobs_completion_idx").on(t.completionId, t.state),
    index("grading_jobs_user_idx").on(t.userId, t.state),
  ],
);

/** `Idempotency-Key`s of submissions: a retried request gets the first result. */
export const idempotencyKeys = sqliteTable(
  "idempotency_keys",
  {
    id: id(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    key: text("key").notNull(),
    requestHash: text("request_hash").notNull(),
    completionId: integer("completion_id")
      .notNull()
      .references(() => completions.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("idempotency_keys_user_key_unique").on(t.userId, t.key),
    index("idempotency_keys_completion_idx").on(t.completionId),
    index("idempotency_keys_created_idx").on(t.createdAt),
  ],
);
