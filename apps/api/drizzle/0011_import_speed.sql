-- One foreign-key check per imported identity instead of two (bench/audience/README.md):
-- identities reference (workspace_id, id) of their contact, which references the workspace.
ALTER TABLE "contact_identities" DROP CONSTRAINT "contact_identities_workspace_id_workspaces_id_fk";
--> statement-breakpoint
ALTER TABLE "contact_identities" DROP CONSTRAINT "contact_identities_contact_id_contacts_id_fk";
--> statement-breakpoint
DROP INDEX "contacts_workspace_idx";--> statement-breakpoint
CREATE UNIQUE INDEX "contacts_workspace_idx" ON "contacts" USING btree ("workspace_id","id");--> statement-breakpoint
ALTER TABLE "contact_identities" ADD CONSTRAINT "contact_identities_contact_fk" FOREIGN KEY ("workspace_id","contact_id") REFERENCES "public"."contacts"("workspace_id","id") ON DELETE cascade ON UPDATE no action;
