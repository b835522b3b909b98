CREATE TABLE "sender_accounts" (
	"channel" text NOT NULL,
	"account" text NOT NULL,
	"state" text NOT NULL,
	"until" timestamp with time zone,
	"reason" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "sender_accounts_channel_account_pk" PRIMARY KEY("channel","account")
);
--> statement-breakpoint
ALTER TABLE "audit_log" ALTER COLUMN "workspace_id" DROP NOT NULL;