package dev.ssmauditor.aws;

import java.net.URI;

/**
 * Where a signed request goes and how it is signed.
 *
 * @param uri           the service's base URL, e.g. {@code https://ec2.eu-west-1.amazonaws.com}
 * @param signingName   the SigV4 service name, e.g. {@code organizations}
 * @param signingRegion the SigV4 region: the function's own for a regional service, the partition's home region
 *                      for a global one ({@code us-east-1} for Organizations), also when the URL is overridden
 */
public record AwsEndpoint(URI uri, String signingName, String signingRegion) {
}
