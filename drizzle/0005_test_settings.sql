CREATE TABLE `attempts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`user_id` integer NOT NULL,
	`test_id` integer NOT NULL,
	`number` integer NOT NULL,
	`started_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`test_id`) REFERENCES `tests`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `attempts_user_test_number_unique` ON `attempts` (`user_id`,`test_id`,`number`);--> statement-breakpoint
CREATE INDEX `attempts_test_idx` ON `attempts` (`test_id`);--> statement-breakpoint
ALTER TABLE `completions` ADD `attempt` integer;--> statement-breakpoint
ALTER TABLE `completions` ADD `late` integer DEFAULT false NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX `completions_attempt_unique` ON `completions` (`user_id`,`test_id`,`attempt`);--> statement-breakpoint
ALTER TABLE `tests` ADD `opens_at` integer;--> statement-breakpoint
ALTER TABLE `tests` ADD `closes_at` integer;--> statement-breakpoint
ALTER TABLE `tests` ADD `time_limit` integer;--> statement-breakpoint
ALTER TABLE `tests` ADD `max_attempts` integer;--> statement-breakpoint
ALTER TABLE `tests` ADD `shuffle_questions` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `tests` ADD `shuffle_variants` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `tests` ADD `show_results` text DEFAULT 'score' NOT NULL;