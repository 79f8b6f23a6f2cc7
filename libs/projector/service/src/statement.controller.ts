import { Controller } from '@nestjs/common';
import { TRANSPORT_ERROR, actorIdOf, projectorContract, type CommandResult, type PayloadOf } from '@ledger/contracts';
import { CommandHandler, accepted, rejected, type CommandEnvelope } from '@ledger/messaging';
import { InvalidPageCursor } from '@ledger/util';
import type { DataSource } from 'typeorm';
import { ProjectorLifecycle } from './projector-lifecycle';
import { NoWallet, balanceAsOf, statementOf, supportAccessRecorded } from './statement';

type Query = CommandEnvelope<{ userId: string; auditedBy?: string | undefined }>;

/** The users' statements and balances as of an instant, on `projector.commands.from.gateway` (and from internal systems). */
@Controller()
export class StatementController {
  constructor(private readonly lifecycle: ProjectorLifecycle) {}

  /** Codes: `projectorContract.getStatement.rejects`, FORBIDDEN, INVALID_COMMAND (a malformed cursor). */
  @CommandHandler(projectorContract.getStatement)
  async getStatement(command: CommandEnvelope<PayloadOf<typeof projectorContract.getStatement>>): Promise<CommandResult> {
    const { userId, limit, before } = command.payload;
    return this.answer(command, 'statement', (dataSource) => statementOf(dataSource, userId, limit, before));
  }

  /** Codes: `projectorContract.getBalanceAsOf.rejects`, FORBIDDEN. */
  @CommandHandler(projectorContract.getBalanceAsOf)
  async getBalanceAsOf(command: CommandEnvelope<PayloadOf<typeof projectorContract.getBalanceAsOf>>): Promise<CommandResult> {
    const { userId, asOf } = command.payload;
    return this.answer(command, 'balance', (dataSource) =>
      balanceAsOf(dataSource, this.lifecycle.projector.storeFor('wallet'), userId, asOf),
    );
  }

  /**
   * A user reads only their own; support only a look-up recorded on the user's trail first (the
   * gateway records it with payments.RecordSupportAccess.v1 and names that command in auditedBy);
   * an internal system (the transport has checked it is one) reads any.
   */
  private async answer(
    command: Query,
    viewed: 'statement' | 'balance',
    read: (dataSource: DataSource) => Promise<object>,
  ): Promise<CommandResult> {
    const { userId, auditedBy } = command.payload;
    const user = actorIdOf(command.actor, 'user');
    if (user !== undefined && user !== userId)
      return rejected(command, TRANSPORT_ERROR.FORBIDDEN, `${command.actor} may not read the ${viewed} of ${userId}`);
    const agentId = actorIdOf(command.actor, 'support');
    if (agentId !== undefined) {
      const recorded =
        auditedBy !== undefined &&
        (await supportAccessRecorded(this.lifecycle.projector.storeFor('payments'), { userId, agentId, auditedBy, viewed }));
      if (!recorded)
        return rejected(
          command,
          'AUDIT_REQUIRED',
          `a support look-up of ${userId}'s ${viewed} is answered only once recorded on their support-access trail (payments.RecordSupportAccess.v1, named in auditedBy)`,
        );
    }
    const dataSource = this.lifecycle.projector.dataSource;
    if (dataSource === undefined) throw new Error('the projector has not opened its read models yet');
    try {
      return accepted(command, { ...(await read(dataSource)) });
    } catch (error) {
      if (error instanceof NoWallet) return rejected(command, 'WALLET_NOT_OPEN', error.message, { userId });
      if (error instanceof InvalidPageCursor) return rejected(command, TRANSPORT_ERROR.INVALID_COMMAND, error.message);
      throw error;
    }
  }
}
