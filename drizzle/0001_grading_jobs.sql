CREATE TABLE `grading_jobs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`answer_id` integer NOT NULL,
	`completion_id` integer NOT NULL,
	`user_id` integer NOT NULL,
	`state` text DEFAULT 'queued' NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`lease_token` text,
	`lease_until` integer,
	`last_error` text,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`answer_id`) REFERENCES `answers`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`completion_id`) REFERENCES `completions`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `grading_jobs_answer_unique` ON `grading_jobs` (`answer_id`);--> statement-breakpoint
CREATE INDEX `grading_jobs_state_idx` ON `grading_jobs` (`state`,`id`);--> statement-breakpoint
CREATE INDEX `grading_jobs_completion_idx` ON `grading_jobs` (`completion_id`,`state`);--> statement-breakpoint
CREATE INDEX `grading_jobs_user_idx` ON `grading_jobs` (`user_id`,`state`);