CREATE TABLE "channel_syncs" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "channel_syncs_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"workspace_id" bigint NOT NULL,
	"channel" text NOT NULL,
	"state" text NOT NULL,
	"stage" text NOT NULL,
	"cursor" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"counts" jsonb NOT NULL,
	"error_code" text,
	"error_message" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "contact_reach" (
	"workspace_id" bigint NOT NULL,
	"contact_id" bigint NOT NULL,
	"channel" text NOT NULL,
	"account" text NOT NULL,
	"added_at" timestamp with time zone,
	"remark" text,
	"removed_by" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "contact_reach_contact_id_channel_account_pk" PRIMARY KEY("contact_id","channel","account")
);
--> statement-breakpoint
ALTER TABLE "tags" ADD COLUMN "source" text;--> statement-breakpoint
ALTER TABLE "tags" ADD COLUMN "external_id" text;--> statement-breakpoint
ALTER TABLE "channel_syncs" ADD CONSTRAINT "channel_syncs_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contact_reach" ADD CONSTRAINT "contact_reach_contact_id_contacts_id_fk" FOREIGN KEY ("contact_id") REFERENCES "public"."contacts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "channel_syncs_workspace_idx" ON "channel_syncs" USING btree ("workspace_id","channel","id");--> statement-breakpoint
CREATE UNIQUE INDEX "channel_syncs_running_idx" ON "channel_syncs" USING btree ("workspace_id","channel") WHERE state = 'running';--> statement-breakpoint
CREATE INDEX "contact_reach_account_idx" ON "contact_reach" USING btree ("workspace_id","channel","account");--> statement-breakpoint
CREATE UNIQUE INDEX "tags_source_idx" ON "tags" USING btree ("workspace_id","source","external_id");