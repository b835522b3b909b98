ALTER TABLE "campaign_counters" ADD COLUMN "shard" smallint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "campaign_counters" DROP CONSTRAINT "campaign_counters_pkey";--> statement-breakpoint
ALTER TABLE "campaign_counters" ADD CONSTRAINT "campaign_counters_campaign_id_shard_pk" PRIMARY KEY("campaign_id","shard");
