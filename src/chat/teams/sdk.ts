/**
 * The only file that touches the Bot Framework SDK (botbuilder 4.23, archived upstream): the
 * CloudAdapter, its authentication, proactive sends and updates. Moving to the Microsoft 365
 * Agents SDK replaces this file; the translation and turn logic stay.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  ActivityTypes,
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  type Activity,
  type ConversationReference,
  type TurnContext,
} from 'botbuilder';
import type { Logger } from '../../server/log.ts';
import { shimRequest, shimResponse } from './http-shim.ts';
import type { TeamsAuth } from './mode.ts';
import type { TurnOutcome, TurnReplies } from './turn.ts';
import type { ConversationRef, IncomingActivity, OutgoingActivity } from './translate.ts';

/** Proactive sends into a stored conversation. */
export interface TeamsConnector {
  /** Posts into the reference's conversation; the new activity's id. */
  post(ref: ConversationRef, activity: OutgoingActivity): Promise<string>;
  /** Replaces an activity posted earlier in the reference's conversation. */
  update(ref: ConversationRef, activityId: string, activity: OutgoingActivity): Promise<void>;
  /**
   * Opens (or finds: Teams answers with the existing one) the bot's 1:1 conversation with a
   * person, reached through the service URL, tenant and bot of a conversation the bot is in.
   * Teams refuses when the app is not installed for that person.
   */
  openPersonal(via: ConversationRef, userAadObjectId: string): Promise<ConversationRef>;
}

export type TurnHandler = (a: IncomingActivity, replies: TurnReplies) => Promise<TurnOutcome>;

export class BotFrameworkConnection implements TeamsConnector {
  private readonly adapter: CloudAdapter;
  private readonly appId: string;

  /** `auth` null: no authentication (TEAMS_LOCAL), and no tokens fetched for outgoing calls. */
  constructor(auth: TeamsAuth | null, private readonly log: Logger) {
    this.appId = auth?.appId ?? '';
    const options = auth
      ? {
          MicrosoftAppId: auth.appId,
          MicrosoftAppPassword: auth.password ?? '',
          MicrosoftAppTenantId: auth.tenantId ?? '',
          MicrosoftAppType: auth.appType,
        }
      : {};
    this.adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication(options));
    this.adapter.onTurnError = async (context: TurnContext, error: Error) => {
      this.log.error('teams: turn failed', { type: context.activity.type, name: context.activity.name, error: error.message, stack: error.stack });
      if (context.activity.type === ActivityTypes.Invoke)
        await context.sendActivity({ type: ActivityTypes.InvokeResponse, value: { status: 500, body: { statusCode: 500, type: 'application/vnd.microsoft.error', value: { code: 'internal_error', message: 'ai-release could not handle this action' } } } });
    };
  }

  /** Authenticates and runs one incoming request (body already parsed) through `handle`. */
  async process(req: IncomingMessage, res: ServerResponse, body: unknown, handle: TurnHandler): Promise<void> {
    await this.adapter.process(shimRequest(req, body) as never, shimResponse(res) as never, async (context: TurnContext) => {
      const out = await handle(context.activity as unknown as IncomingActivity, {
        send: async (activity) => (await context.sendActivity(activity as Partial<Activity>))?.id,
        update: async (activityId, activity) => {
          await context.updateActivity({ ...(activity as Partial<Activity>), id: activityId, conversation: context.activity.conversation });
        },
      });
      if (out.invoke) await context.sendActivity({ type: ActivityTypes.InvokeResponse, value: { status: 200, body: out.invoke } });
    });
  }

  async post(ref: ConversationRef, activity: OutgoingActivity): Promise<string> {
    let id: string | undefined;
    await this.adapter.continueConversationAsync(this.appId, ref as unknown as Partial<ConversationReference>, async (context) => {
      // A proactive turn "replies" to its made-up continuation activity; post to the conversation instead.
      context.onSendActivities(async (_ctx, activities, next) => {
        for (const a of activities) delete a.replyToId;
        return next();
      });
      id = (await context.sendActivity(activity as Partial<Activity>))?.id;
    });
    if (!id) throw new Error(`the Bot Connector returned no activity id for a post to ${ref.conversation.id}`);
    return id;
  }

  async openPersonal(via: ConversationRef, userAadObjectId: string): Promise<ConversationRef> {
    const tenantId = via.conversation.tenantId;
    let id: string | undefined;
    const parameters = {
      isGroup: false,
      bot: via.bot,
      members: [{ id: userAadObjectId }],
      ...(tenantId ? { tenantId, channelData: { tenant: { id: tenantId } } } : {}),
    };
    await this.adapter.createConversationAsync(this.appId, via.channelId || 'msteams', via.serviceUrl, undefined as never, parameters as never, async (context) => {
      id = context.activity.conversation?.id;
    });
    if (!id) throw new Error(`the Bot Connector returned no conversation id for a 1:1 with ${userAadObjectId}`);
    return {
      channelId: via.channelId || 'msteams',
      serviceUrl: via.serviceUrl,
      conversation: { id, conversationType: 'personal', isGroup: false, ...(tenantId ? { tenantId } : {}) },
      bot: via.bot,
      user: { id: userAadObjectId },
    };
  }

  async update(ref: ConversationRef, activityId: string, activity: OutgoingActivity): Promise<void> {
    await this.adapter.continueConversationAsync(this.appId, ref as unknown as Partial<ConversationReference>, async (context) => {
      await context.updateActivity({ ...(activity as Partial<Activity>), id: activityId, conversation: ref.conversation as Activity['conversation'] });
    });
  }
}

/** How long to wait when the Bot Connector answered 429 (its Retry-After), null for other errors. */
export function connectorRetryAfterMs(err: unknown): number | null {
  const e = err as { statusCode?: number; response?: { headers?: { get?(name: string): string | undefined } } };
  if (e?.statusCode !== 429) return null;
  const header = e.response?.headers?.get?.('retry-after');
  const seconds = Number(header);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : 1000;
}
