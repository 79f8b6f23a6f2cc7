import { Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { paymentsContract, walletContract } from '@ledger/contracts';
import { Edge, executePayment } from './gateway.services';
import { requireStaff } from './http/auth';
import { Route } from './http/docs';
import { Http, type RequestInfo } from './http/request';
import * as S from './http/schemas';
import { validate } from './http/validation';
import { PAYMENT_DESCRIPTION } from './payments.routes';

/**
 * Cash at a bank counter: the teller's top-up (the token's agent is the teller, recorded on the
 * payment) and, above the approval threshold, a supervisor's approval or rejection (maker-checker).
 */
@ApiTags('payments')
@Controller()
export class CounterRoutes {
  constructor(private readonly edge: Edge) {}

  @Post('support/users/:userId/counter-top-ups')
  @HttpCode(200)
  @Route({
    summary: "Cash top-up at a bank counter (teller: the token's agent id is the teller)",
    description:
      "The command is sent as teller:<agentId> and audited in the payment's history. Above the approval threshold (20,000 yuan by default) the answer is status " +
      '"awaiting_approval" with approvalDeadline: nothing is credited until a supervisor other than the teller approves it (POST /support/counter-top-ups/{paymentId}/approval). ' +
      PAYMENT_DESCRIPTION,
    body: S.CounterTopUpRequest,
    status: 200,
    response: S.PaymentResponse,
    commands: [paymentsContract.counterTopUp, walletContract.getWalletByUser],
    codes: ['INVALID_COMMAND'],
    auth: 'support',
  })
  async counterTopUp(@Param('userId') userId: string, @Http() http: RequestInfo) {
    const principal = await this.edge.principal(http.authorization);
    const actor = requireStaff(principal, 'counterDeposit');
    const id = validate(S.UserIdParam, userId, 'userId');
    const body = validate(S.CounterTopUpRequest, http.body);
    const tellerId = principal.userId;
    const walletId = await this.edge.walletIdOf(id, actor);
    return executePayment(
      this.edge,
      paymentsContract.counterTopUp,
      {
        paymentId: body.paymentId,
        userId: id,
        walletId,
        branchId: body.branchId,
        tellerId,
        amountMinor: body.amountMinor,
        // Sealed for payments here: the number never travels in clear, and payments keeps it only protected.
        ...(body.depositorIdNumber === undefined
          ? {}
          : { depositorIdNumber: this.edge.paymentsSecret('depositorIdNumber', body.depositorIdNumber.toUpperCase()) }),
      },
      body.paymentId,
      actor,
    );
  }

  @Post('support/counter-top-ups/:paymentId/approval')
  @HttpCode(200)
  @Route({
    summary: 'Approve a counter top-up awaiting approval (supervisor, never the teller who made it): the wallet is credited',
    description: `Maker-checker: recorded as supervisor:<agentId> (payments.CounterTopUpApproved.v1). ${PAYMENT_DESCRIPTION}`,
    body: S.CounterTopUpApprovalRequest,
    status: 200,
    response: S.PaymentResponse,
    commands: [paymentsContract.approveCounterTopUp],
    codes: ['INVALID_COMMAND'],
    auth: 'support',
  })
  async approveCounterTopUp(@Param('paymentId') paymentId: string, @Http() http: RequestInfo) {
    const { actor, supervisorId, id } = await this.supervisorDecision(paymentId, http);
    validate(S.CounterTopUpApprovalRequest, http.body ?? {});
    return executePayment(this.edge, paymentsContract.approveCounterTopUp, { paymentId: id, supervisorId }, id, actor);
  }

  @Post('support/counter-top-ups/:paymentId/rejection')
  @HttpCode(200)
  @Route({
    summary: 'Reject a counter top-up awaiting approval (supervisor): it fails COUNTER_TOP_UP_REJECTED and the teller hands the cash back',
    description:
      'Maker-checker: recorded with the reason as supervisor:<agentId> (payments.CounterTopUpRejected.v1). Answers the payment with status "failed".',
    body: S.CounterTopUpRejectionRequest,
    status: 200,
    response: S.PaymentResponse,
    commands: [paymentsContract.rejectCounterTopUp],
    codes: ['INVALID_COMMAND'],
    auth: 'support',
  })
  async rejectCounterTopUp(@Param('paymentId') paymentId: string, @Http() http: RequestInfo) {
    const { actor, supervisorId, id } = await this.supervisorDecision(paymentId, http);
    const { reason } = validate(S.CounterTopUpRejectionRequest, http.body);
    return executePayment(this.edge, paymentsContract.rejectCounterTopUp, { paymentId: id, supervisorId, reason }, id, actor);
  }

  /** A supervisor's decision on a counter top-up: the token's agent decides, as `supervisor:<agentId>`. */
  private async supervisorDecision(paymentId: string, http: RequestInfo): Promise<{ actor: string; supervisorId: string; id: string }> {
    const principal = await this.edge.principal(http.authorization);
    const actor = requireStaff(principal, 'decideCounterDeposit');
    return { actor, supervisorId: principal.userId, id: validate(S.PaymentIdParam, paymentId, 'paymentId') };
  }
}
