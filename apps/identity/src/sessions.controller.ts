import { Controller } from '@nestjs/common';
import { identityContract as contract, type CommandResult, type PayloadOf } from '@ledger/contracts';
import { CommandHandler, type CommandEnvelope } from '@ledger/messaging';
import { IdentityService } from './identity.service';
import { SessionService } from './sessions.service';

/** Session commands on `identity.commands`: refresh-token exchange and logout. Anyone holding the refresh token may send them. */
@Controller()
export class SessionsController {
  constructor(
    private readonly identity: IdentityService,
    private readonly sessions: SessionService,
  ) {}

  /** INVALID_REFRESH_TOKEN, REFRESH_TOKEN_EXPIRED, REFRESH_TOKEN_REUSED, SESSION_REVOKED, ACCOUNT_FROZEN. */
  @CommandHandler(contract.refreshSession)
  refreshSession(command: CommandEnvelope<PayloadOf<typeof contract.refreshSession>>): Promise<CommandResult> {
    return this.identity.execute(command, () => this.sessions.refresh(command));
  }

  /** INVALID_REFRESH_TOKEN, REFRESH_TOKEN_REUSED. */
  @CommandHandler(contract.endSession)
  endSession(command: CommandEnvelope<PayloadOf<typeof contract.endSession>>): Promise<CommandResult> {
    return this.identity.execute(command, () => this.sessions.end(command));
  }
}
