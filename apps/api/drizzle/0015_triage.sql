CREATE TABLE "campaign_opt_outs" (
	"campaign_id" bigint NOT NULL,
	"contact_id" bigint NOT NULL,
	"workspace_id" bigint NOT NULL,
	"inbound_message_id" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "campaign_opt_outs_campaign_id_contact_id_pk" PRIMARY KEY("campaign_id","contact_id")
);
--> statement-breakpoint
CREATE TABLE "triage_items" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "triage_items_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"workspace_id" bigint NOT NULL,
	"inbound_message_id" bigint NOT NULL,
	"contact_id" bigint NOT NULL,
	"campaign_id" bigint,
	"label" text NOT NULL,
	"confidence" real NOT NULL,
	"reasons" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"classifier" text,
	"priority" text NOT NULL,
	"due_at" timestamp with time zone,
	"status" text DEFAULT 'new' NOT NULL,
	"assignee" text,
	"replied_at" timestamp with time zone,
	"resolved_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "triage_replies" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "triage_replies_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"workspace_id" bigint NOT NULL,
	"item_id" bigint NOT NULL,
	"idempotency_key" text NOT NULL,
	"channel" text NOT NULL,
	"text" text NOT NULL,
	"status" text NOT NULL,
	"provider_message_id" text,
	"failure_class" text,
	"failure_message" text,
	"actor_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"sent_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "workspaces" ADD COLUMN "triage_policy" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "campaign_opt_outs" ADD CONSTRAINT "campaign_opt_outs_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "triage_items" ADD CONSTRAINT "triage_items_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "triage_items" ADD CONSTRAINT "triage_items_inbound_message_id_inbound_messages_id_fk" FOREIGN KEY ("inbound_message_id") REFERENCES "public"."inbound_messages"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "triage_replies" ADD CONSTRAINT "triage_replies_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "triage_replies" ADD CONSTRAINT "triage_replies_item_id_triage_items_id_fk" FOREIGN KEY ("item_id") REFERENCES "public"."triage_items"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "triage_items_message_idx" ON "triage_items" USING btree ("inbound_message_id");--> statement-breakpoint
CREATE INDEX "triage_items_open_idx" ON "triage_items" USING btree ("workspace_id","status","due_at");--> statement-breakpoint
CREATE INDEX "triage_items_workspace_idx" ON "triage_items" USING btree ("workspace_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "triage_replies_key_idx" ON "triage_replies" USING btree ("workspace_id","idempotency_key");