/**
 * What the campaign dialogs use of the campaign engine (analytics/campaigns), bound to one
 * database by the composition root so that dialogs never hold the database themselves.
 */
import type { Db } from '../../data/db';
import {
  campaignReport,
  createCampaign,
  listCampaigns,
  previewAudience,
  type AudienceFilter,
  type AudiencePreview,
  type CampaignDraft,
  type CampaignOutcome,
} from '../../analytics/campaigns/service';

export type { AudienceFilter, AudiencePreview, CampaignDraft, CampaignOutcome };

export interface CampaignService {
  preview(audience: AudienceFilter): AudiencePreview;
  create(draft: CampaignDraft): { id: number };
  report(id: number): CampaignOutcome | undefined;
  list(): CampaignOutcome[];
}

export function campaignServiceFor(db: Db, now: () => Date = () => new Date()): CampaignService {
  return {
    preview: (audience) => previewAudience(db, audience, { now: now() }),
    create: (draft) => createCampaign(db, draft, now()),
    report: (id) => campaignReport(db, id),
    list: () => listCampaigns(db),
  };
}
