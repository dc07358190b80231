/**
 * How the sweep reaches the organisation's accounts: the member roles (STS), the account list (Organizations), each
 * account's regions (EC2), and the shard queue (SQS). The SDK stops here; {@code coverage} sees its own types.
 */
package dev.ssmauditor.organization;
