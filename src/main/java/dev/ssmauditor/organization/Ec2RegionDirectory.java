package dev.ssmauditor.organization;

import dev.ssmauditor.aws.AwsCallException;
import dev.ssmauditor.aws.AwsEndpoint;
import dev.ssmauditor.aws.QueryXml;
import dev.ssmauditor.aws.SignedAwsRequests;
import dev.ssmauditor.coverage.CoverageException;
import dev.ssmauditor.coverage.RegionDirectory;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

import javax.xml.stream.XMLStreamException;
import java.util.List;

/**
 * The regions enabled in an account for {@code AUDIT_REGIONS=enabled}: EC2 {@code DescribeRegions} without
 * {@code AllRegions}, which lists only the regions the account may use (opt-in regions once opted in), signed with
 * that account's credentials and sent to EC2 in the function's own region.
 */
public final class Ec2RegionDirectory implements RegionDirectory {

    static final String DESCRIBE_REGIONS = "Action=DescribeRegions&Version=2016-11-15";

    private final SignedAwsRequests requests;
    private final AwsEndpoint endpoint;

    /** @param endpoint {@link AwsEndpoints#ec2()} */
    public Ec2RegionDirectory(SignedAwsRequests requests, AwsEndpoint endpoint) {
        this.requests = requests;
        this.endpoint = endpoint;
    }

    @Override
    public List<String> enabledRegions(String account, AwsCredentialsProvider credentials) {
        String body;
        try {
            body = requests.query(endpoint, credentials, "DescribeRegions", DESCRIBE_REGIONS);
        } catch (AwsCallException e) {
            if (e.accessDenied()) {
                throw new CoverageException("AUDIT_REGIONS=enabled: ec2:DescribeRegions was refused in account "
                        + account + " (" + e.getMessage() + "). The member role needs ec2:DescribeRegions when "
                        + "AUDIT_REGIONS=enabled; grant it, or list the regions in AUDIT_REGIONS", true, e);
            }
            throw new CoverageException(e.getMessage() + " (account " + account + ")", false, e);
        }
        List<String> regions;
        try {
            regions = QueryXml.texts(body, "regionInfo", "item", "regionName");
        } catch (XMLStreamException e) {
            throw new CoverageException("ec2:DescribeRegions in account " + account + " answered something that is "
                    + "not XML: " + e.getMessage(), false, e);
        }
        if (regions.isEmpty()) {
            // Every account has regions enabled: none read means an answer this parser does not understand, and
            // auditing no region would pass for an account without sessions.
            throw new CoverageException("ec2:DescribeRegions in account " + account + " listed no regions", false);
        }
        return List.copyOf(regions);
    }
}
