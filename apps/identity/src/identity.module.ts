import { Module } from '@nestjs/common';
import { pingControllerFor } from '@ledger/messaging';

export const IDENTITY_CONTEXT = 'identity';

/** The identity service: users, verification codes, passwords, second factor, freeze, risk alerts. */
@Module({ controllers: [pingControllerFor(IDENTITY_CONTEXT)] })
export class IdentityModule {}
