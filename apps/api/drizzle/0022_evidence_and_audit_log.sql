CREATE TABLE "evidence_bundles" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "evidence_bundles_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"workspace_id" bigint NOT NULL,
	"triage_item_id" bigint NOT NULL,
	"contact_id" bigint NOT NULL,
	"campaign_id" bigint,
	"delivery_id" bigint,
	"document" text NOT NULL,
	"sha256" text NOT NULL,
	"signature" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "evidence_bundles" ADD CONSTRAINT "evidence_bundles_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "evidence_bundles_item_idx" ON "evidence_bundles" USING btree ("triage_item_id");--> statement-breakpoint
CREATE INDEX "evidence_bundles_workspace_idx" ON "evidence_bundles" USING btree ("workspace_id","id");--> statement-breakpoint
CREATE INDEX "audit_log_workspace_idx" ON "audit_log" USING btree ("workspace_id","id");