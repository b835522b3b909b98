CREATE TABLE "campaign_late_failures" (
	"campaign_id" bigint PRIMARY KEY NOT NULL,
	"workspace_id" bigint NOT NULL,
	"marks" integer DEFAULT 1 NOT NULL,
	"marked_at" timestamp with time zone DEFAULT now() NOT NULL
);
