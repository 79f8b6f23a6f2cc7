import { Controller, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { openSealedField } from '@ledger/crypto';
import { paymentsContract, type CommandContract, type PayloadOf } from '@ledger/contracts';
import { execute } from './command-bus';
import { Edge } from './gateway.services';
import { requireSelf, requireStaff } from './http/auth';
import { Route } from './http/docs';
import { Http, type RequestInfo } from './http/request';
import * as S from './http/schemas';
import { validate } from './http/validation';

/**
 * The merchant and biller registry for supervisors (payments keeps it as data: every change is an
 * event with the supervisor as actor), the directory of who takes the wallet for everyone, and the
 * bill look-up before a bill is paid.
 */
@ApiTags('registry')
@Controller()
export class RegistryRoutes {
  constructor(private readonly edge: Edge) {}

  @Get('directory')
  @Route({
    summary: 'The merchants that take the wallet (and on which channels) and the billers that take payments',
    status: 200,
    response: S.DirectoryResponse,
    commands: [paymentsContract.listPartners],
  })
  directory() {
    return execute(this.edge.bus, paymentsContract.listPartners, {}, { key: 'registry', actor: 'anonymous' });
  }

  @Post('users/:userId/bill-lookups')
  @HttpCode(200)
  @Route({
    summary: 'Look a bill up before paying it: what is due (absent for a biller that takes any amount)',
    body: S.BillLookupRequest,
    status: 200,
    response: S.BillLookupResponse,
    commands: [paymentsContract.lookUpBill],
    auth: 'user',
  })
  async lookUpBill(@Param('userId') userId: string, @Http() http: RequestInfo) {
    const principal = await this.edge.principal(http.authorization);
    requireSelf(principal, userId);
    const body = validate(S.BillLookupRequest, http.body);
    return execute(
      this.edge.bus,
      paymentsContract.lookUpBill,
      { billerId: body.billerId, billReference: this.edge.paymentsSecret('billReference', body.billReference) },
      { key: body.billerId, actor: principal.actor },
    );
  }

  @Get('support/registry')
  @Route({
    summary: 'Every merchant and biller, suspended ones included, with how each merchant is paid and its live API key ids (supervisor)',
    status: 200,
    response: S.DirectoryResponse,
    commands: [paymentsContract.listPartners],
    auth: 'support',
  })
  async registry(@Http() http: RequestInfo) {
    const actor = await this.supervisor(http);
    return execute(this.edge.bus, paymentsContract.listPartners, {}, { key: 'registry', actor });
  }

  @Post('support/merchants')
  @Route({
    summary: 'Onboard a merchant (supervisor)',
    body: S.OnboardMerchantRequest,
    status: 201,
    response: S.MerchantResponse,
    commands: [paymentsContract.onboardMerchant],
    auth: 'support',
  })
  async onboardMerchant(@Http() http: RequestInfo) {
    const actor = await this.supervisor(http);
    const body = validate(S.OnboardMerchantRequest, http.body);
    return this.send(actor, paymentsContract.onboardMerchant, body, body.merchantId);
  }

  @Put('support/merchants/:merchantId/channels')
  @Route({
    summary: 'The channels a merchant takes the wallet on from now on (supervisor)',
    body: S.MerchantChannelsRequest,
    status: 200,
    response: S.MerchantResponse,
    commands: [paymentsContract.changeMerchantChannels],
    auth: 'support',
  })
  async changeChannels(@Param('merchantId') merchantId: string, @Http() http: RequestInfo) {
    const actor = await this.supervisor(http);
    const { channels } = validate(S.MerchantChannelsRequest, http.body);
    return this.send(actor, paymentsContract.changeMerchantChannels, { merchantId: this.id(merchantId), channels }, merchantId);
  }

  @Post('support/merchants/:merchantId/suspension')
  @HttpCode(200)
  @Route({
    summary: 'Suspend a merchant: new payments to it fail MERCHANT_NOT_SUPPORTED, its API keys stop working (supervisor)',
    body: S.SuspensionRequest,
    status: 200,
    response: S.MerchantResponse,
    commands: [paymentsContract.suspendMerchant],
    auth: 'support',
  })
  async suspendMerchant(@Param('merchantId') merchantId: string, @Http() http: RequestInfo) {
    const actor = await this.supervisor(http);
    const { reason } = validate(S.SuspensionRequest, http.body);
    return this.send(actor, paymentsContract.suspendMerchant, { merchantId: this.id(merchantId), reason }, merchantId);
  }

  @Post('support/merchants/:merchantId/resumption')
  @HttpCode(200)
  @Route({
    summary: 'Resume a suspended merchant (supervisor)',
    status: 200,
    response: S.MerchantResponse,
    commands: [paymentsContract.resumeMerchant],
    auth: 'support',
  })
  async resumeMerchant(@Param('merchantId') merchantId: string, @Http() http: RequestInfo) {
    const actor = await this.supervisor(http);
    if (http.body !== undefined) validate(S.ResumptionRequest, http.body);
    return this.send(actor, paymentsContract.resumeMerchant, { merchantId: this.id(merchantId) }, merchantId);
  }

  @Post('support/merchants/:merchantId/api-keys')
  @Route({
    summary: 'Issue an API key for the merchant API: the key is in this answer only, kept nowhere (supervisor)',
    status: 201,
    response: S.ApiKeyResponse,
    commands: [paymentsContract.issueMerchantApiKey],
    auth: 'support',
  })
  async issueApiKey(@Param('merchantId') merchantId: string, @Http() http: RequestInfo) {
    const actor = await this.supervisor(http);
    const issued = await this.send(actor, paymentsContract.issueMerchantApiKey, { merchantId: this.id(merchantId) }, merchantId);
    const sealed = issued['apiKey'];
    return sealed === undefined
      ? issued
      : {
          ...issued,
          apiKey: openSealedField(String(sealed), this.edge.config.sealOpeningKeys, paymentsContract.secretAad('merchantApiKey')),
        };
  }

  @Delete('support/merchants/:merchantId/api-keys/:keyId')
  @Route({
    summary: "Revoke one of a merchant's API keys at once (supervisor)",
    status: 200,
    response: S.ApiKeyRevokedResponse,
    commands: [paymentsContract.revokeMerchantApiKey],
    auth: 'support',
  })
  async revokeApiKey(@Param('merchantId') merchantId: string, @Param('keyId') keyId: string, @Http() http: RequestInfo) {
    const actor = await this.supervisor(http);
    const id = validate(S.ApiKeyIdParam, keyId, 'keyId');
    return this.send(actor, paymentsContract.revokeMerchantApiKey, { merchantId: this.id(merchantId), keyId: id }, merchantId);
  }

  @Post('support/billers')
  @Route({
    summary: 'Onboard a biller (supervisor)',
    body: S.OnboardBillerRequest,
    status: 201,
    response: S.BillerResponse,
    commands: [paymentsContract.onboardBiller],
    auth: 'support',
  })
  async onboardBiller(@Http() http: RequestInfo) {
    const actor = await this.supervisor(http);
    const body = validate(S.OnboardBillerRequest, http.body);
    return this.send(actor, paymentsContract.onboardBiller, body, body.billerId);
  }

  @Post('support/billers/:billerId/suspension')
  @HttpCode(200)
  @Route({
    summary: 'Suspend a biller: new bill payments to it fail BILLER_NOT_SUPPORTED (supervisor)',
    body: S.SuspensionRequest,
    status: 200,
    response: S.BillerResponse,
    commands: [paymentsContract.suspendBiller],
    auth: 'support',
  })
  async suspendBiller(@Param('billerId') billerId: string, @Http() http: RequestInfo) {
    const actor = await this.supervisor(http);
    const { reason } = validate(S.SuspensionRequest, http.body);
    return this.send(actor, paymentsContract.suspendBiller, { billerId: this.id(billerId, 'billerId'), reason }, billerId);
  }

  @Post('support/billers/:billerId/resumption')
  @HttpCode(200)
  @Route({
    summary: 'Resume a suspended biller (supervisor)',
    status: 200,
    response: S.BillerResponse,
    commands: [paymentsContract.resumeBiller],
    auth: 'support',
  })
  async resumeBiller(@Param('billerId') billerId: string, @Http() http: RequestInfo) {
    const actor = await this.supervisor(http);
    if (http.body !== undefined) validate(S.ResumptionRequest, http.body);
    return this.send(actor, paymentsContract.resumeBiller, { billerId: this.id(billerId, 'billerId') }, billerId);
  }

  private async supervisor(http: RequestInfo): Promise<string> {
    return requireStaff(await this.edge.principal(http.authorization), 'manageRegistry');
  }

  private id(value: string, name = 'merchantId'): string {
    return validate(S.MerchantIdParam, value, name);
  }

  private send<C extends CommandContract>(actor: string, contract: C, payload: PayloadOf<C>, key: string) {
    return execute(this.edge.bus, contract, payload, { key, actor });
  }
}
