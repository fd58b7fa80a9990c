/**
 * "Start a win-back for at-risk customers with 10% off": gathers what is missing (audience,
 * offer), shows a preview (how many, who is left out and why, samples), and creates the campaign
 * only after an explicit yes. Creation is written to the audit log with the marketer's identity.
 */
import {
  ChoicePrompt,
  ComponentDialog,
  ConfirmPrompt,
  TextPrompt,
  WaterfallDialog,
  type WaterfallStepContext,
  type DialogTurnResult,
  type FoundChoice,
} from 'botbuilder-dialogs';
import { MessageFactory } from 'botbuilder';
import type { Entity } from '../../nlp/entities/extract';
import type { AppServices } from '../../services/app';
import { campaignTerms, first } from '../entities';
import type { ReportRenderOptions } from '../reportActivity';
import { sendReport } from '../handler';
import { turnInfo } from '../turn';
import { campaignPreviewReport, describeAudience, describeOffer } from '../../reports/builders/campaigns';
import type { AudienceFilter } from '../../services/campaigns';

export const CAMPAIGN_DIALOG = 'campaign';
const CHOOSE_AUDIENCE = 'campaign.audience';
const ASK_OFFER = 'campaign.offer';
const CONFIRM = 'campaign.confirm';

/** Default share of the audience held out to measure uplift. */
export const DEFAULT_CONTROL_SHARE = 0.1;

interface CampaignState {
  audience: AudienceFilter;
  offer?: { percentOff?: number; text?: string };
  controlShare: number;
  scheduledAt?: string;
  eligible?: number;
  targeting?: 'uplift' | 'churn risk';
}

const AUDIENCE_CHOICES: Array<{ title: string; audience: AudienceFilter }> = [
  { title: 'Most likely to respond to the offer', audience: { targeting: 'uplift' } },
  { title: 'At risk', audience: { segment: 'At risk' } },
  { title: "Can't lose them", audience: { segment: "Can't lose them" } },
  { title: 'Hibernating', audience: { segment: 'Hibernating' } },
  { title: 'Churn risk over 50%', audience: { minChurnProbability: 0.5 } },
];

/**
 * "The customers most likely to respond to 10% off", "customers the offer is likely to change",
 * "persuadables": target by uplift (who the offer changes), not by who is likely to buy anyway.
 */
const UPLIFT_TARGETING =
  /\b((most |more )?likely to (respond|react|be persuaded)|(would|will) respond|respond(s|ing)? (best )?to|persuadables?|uplift|offer (is )?(most )?likely to change|offer (would |will )?changes?)\b/i;

/** The audience the message names: a segment or stage, a churn threshold, a country, uplift targeting. */
export function audienceFrom(text: string, entities: Entity[]): AudienceFilter {
  const audience: AudienceFilter = {};
  const uplift = UPLIFT_TARGETING.exec(text);
  if (uplift) audience.targeting = 'uplift';
  // Words of the uplift phrase are not a segment ("most" is not the segment "Lost").
  const outside = (e: Entity) =>
    !uplift || !('start' in e) || e.end <= uplift.index || e.start >= uplift.index + uplift[0].length;
  const segment = first(entities.filter(outside), 'segment');
  if (segment) {
    if (segment.value === 'lapsed') audience.stage = 'lapsed';
    else audience.segment = segment.value;
  } else if (/\bat[- ]?risk\b/i.test(text)) {
    audience.stage = 'at risk';
  }
  const terms = campaignTerms(text, entities);
  if (terms.minChurnProbability !== undefined) audience.minChurnProbability = terms.minChurnProbability;
  const country = first(entities, 'country');
  if (country) audience.country = country.value;
  return audience;
}

const hasAudience = (a: AudienceFilter) =>
  a.segment !== undefined ||
  a.stage !== undefined ||
  a.minChurnProbability !== undefined ||
  a.targeting !== undefined;

export class CampaignDialog extends ComponentDialog {
  constructor(
    private readonly app: AppServices,
    private readonly render: ReportRenderOptions = {},
  ) {
    super(CAMPAIGN_DIALOG);
    this.addDialog(new ChoicePrompt(CHOOSE_AUDIENCE));
    this.addDialog(new TextPrompt(ASK_OFFER));
    this.addDialog(new ConfirmPrompt(CONFIRM));
    this.addDialog(
      new WaterfallDialog('campaign.steps', [
        this.askAudience.bind(this),
        this.askOffer.bind(this),
        this.preview.bind(this),
        this.create.bind(this),
      ]),
    );
    this.initialDialogId = 'campaign.steps';
  }

  private state(step: WaterfallStepContext): CampaignState {
    return step.values as unknown as CampaignState;
  }

  private async askAudience(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const { text, entities } = step.options as { text: string; entities: Entity[] };
    const terms = campaignTerms(text, entities);
    const state = this.state(step);
    state.audience = audienceFrom(text, entities);
    state.controlShare = terms.controlShare ?? DEFAULT_CONTROL_SHARE;
    if (terms.percentOff !== undefined) state.offer = { percentOff: terms.percentOff };
    else if (/\bno (discount|offer)\b|\bwithout (a )?(discount|offer)\b/i.test(text)) state.offer = {};
    const range = first(entities, 'dateRange');
    if (range && Date.parse(range.from) > Date.now()) state.scheduledAt = `${range.from}T09:00:00Z`;
    if (hasAudience(state.audience)) return step.next();
    return step.prompt(CHOOSE_AUDIENCE, {
      prompt: 'Who should get the win-back?',
      choices: AUDIENCE_CHOICES.map((c) => c.title),
    });
  }

  private async askOffer(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const state = this.state(step);
    const chosen = step.result as FoundChoice | undefined;
    if (chosen) state.audience = { ...state.audience, ...AUDIENCE_CHOICES[chosen.index].audience };
    if (state.offer) return step.next();
    return step.prompt(ASK_OFFER, {
      prompt: MessageFactory.suggestedActions(
        ['10% off', '15% off', '20% off', 'No discount'],
        'What is the offer?',
      ),
    });
  }

  private async preview(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const state = this.state(step);
    if (!state.offer) {
      const answer = String(step.result ?? '');
      const percent = /(\d{1,2})\s*%/.exec(answer);
      state.offer = percent
        ? { percentOff: Number(percent[1]) }
        : /\bno\b|none/i.test(answer)
          ? {}
          : { text: answer.slice(0, 140) };
    }
    const preview = this.app.campaigns.preview(state.audience, {
      offer: state.offer,
      controlShare: state.controlShare,
    });
    // Uplift targeting is launched as previewed: by uplift, or by churn risk when it had to be.
    state.audience = preview.audience;
    state.targeting = preview.targeting?.method;
    state.eligible = preview.eligible;
    await sendReport(
      { turn: step.context, render: this.render },
      campaignPreviewReport(state.audience, state.offer, state.controlShare, preview),
    );
    if (preview.matching === 0) {
      await step.context.sendActivity(
        'No customer matches that audience, so I have not created a campaign. Try a wider one.',
      );
      return step.endDialog({ created: false });
    }
    const reach =
      preview.eligible === preview.matching
        ? `${preview.eligible} customers`
        : `${preview.matching} customers (${preview.eligible} can be messaged now; the others when they can be)`;
    return step.prompt(CONFIRM, {
      prompt: `Launch this campaign to ${reach}, ${Math.round(state.controlShare * 100)}% held out as control?`,
      retryPrompt: 'Please answer yes or no: launch the campaign?',
    });
  }

  private async create(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const state = this.state(step);
    if (step.result !== true) {
      await step.context.sendActivity('OK, cancelled: no campaign was created.');
      return step.endDialog({ created: false });
    }
    const { identity } = turnInfo(step.context);
    const createdBy = `marketer:${identity?.id ?? 'unknown'}${identity?.displayName ? ` (${identity.displayName})` : ''}`;
    const name = `Win-back: ${describeAudience(state.audience)}, ${describeOffer(state.offer ?? {})}`;
    const { id } = this.app.campaigns.create({
      name,
      kind: 'winback',
      audience: state.audience,
      offer: state.offer ?? {},
      controlShare: state.controlShare,
      scheduledAt: state.scheduledAt ? new Date(state.scheduledAt) : undefined,
      createdBy,
    });
    this.app.care.recordMarketerAction(identity, 'campaign_confirmed', `campaign:${id}`, {
      audience: state.audience,
      offer: state.offer,
      controlShare: state.controlShare,
      eligible: state.eligible,
      ...(state.targeting ? { targeting: state.targeting } : {}),
    });
    await step.context.sendActivity(
      `Campaign #${id} is scheduled${state.scheduledAt ? ` for ${state.scheduledAt.slice(0, 10)}` : ''}: ` +
        `the win-back job sends it within consent, quiet hours and frequency caps. Ask "how did campaign ${id} do?" for results.`,
    );
    return step.endDialog({ created: true, id });
  }
}
