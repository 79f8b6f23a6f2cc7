import { Controller } from '@nestjs/common';
import { TRANSPORT_ERROR, actorIdOf, projectorContract, type CommandResult, type PayloadOf } from '@ledger/contracts';
import { CommandHandler, accepted, rejected, type CommandEnvelope } from '@ledger/messaging';
import type { DataSource } from 'typeorm';
import { ProjectorLifecycle } from './projector-lifecycle';

/** A merchant's settlement statement for one Asia/Shanghai day: the `merchant_volume` read model's row, zeros for a day without one. */
export async function merchantSettlement(dataSource: DataSource, merchantId: string, day: string) {
  const rows: Array<Record<string, string>> = await dataSource.query(
    `SELECT payments::text AS payments, gross_minor::text AS gross, refunds::text AS refunds, refunded_minor::text AS refunded, net_minor::text AS net
       FROM analytics.merchant_daily_volume WHERE merchant_id = $1 AND day = $2::date`,
    [merchantId, day],
  );
  const row = rows[0];
  return {
    merchantId,
    day,
    payments: Number(row?.['payments'] ?? 0),
    grossMinor: row?.['gross'] ?? '0',
    refunds: Number(row?.['refunds'] ?? 0),
    refundedMinor: row?.['refunded'] ?? '0',
    netMinor: row?.['net'] ?? '0',
  };
}

/** The merchant API's settlement statement, on `projector.commands.from.gateway` (and from internal systems). */
@Controller()
export class MerchantSettlementController {
  constructor(private readonly lifecycle: ProjectorLifecycle) {}

  /** Codes: FORBIDDEN (another merchant's statement). */
  @CommandHandler(projectorContract.getMerchantSettlement)
  async getMerchantSettlement(command: CommandEnvelope<PayloadOf<typeof projectorContract.getMerchantSettlement>>): Promise<CommandResult> {
    const { merchantId, day } = command.payload;
    const merchant = actorIdOf(command.actor, 'merchant');
    if (merchant !== undefined && merchant !== merchantId)
      return rejected(command, TRANSPORT_ERROR.FORBIDDEN, `${command.actor} may not read the settlement of ${merchantId}`);
    const dataSource = this.lifecycle.projector.dataSource;
    if (dataSource === undefined) throw new Error('the projector has not opened its read models yet');
    return accepted(command, await merchantSettlement(dataSource, merchantId, day));
  }
}
