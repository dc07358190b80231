package dev.ssmauditor.aws;

import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the Query protocol's XML with the JDK's StAX parser, DTDs and external entities off (the body comes from the
 * network). A class of its own so that the XML classes load only when an XML answer is read, not at cold start.
 */
public final class QueryXml {

    /** An error as {@code <Response><Errors><Error><Code>} (EC2) or {@code <ErrorResponse><Error><Code>} (others). */
    record Error(String code, String message) {
    }

    private QueryXml() {
    }

    /**
     * The text of every element reached by {@code path} (local names, namespaces ignored) below the root, in order:
     * {@code texts(body, "regionInfo", "item", "regionName")}.
     *
     * @throws XMLStreamException when the body is not well-formed XML
     */
    public static List<String> texts(String body, String... path) throws XMLStreamException {
        List<String> found = new ArrayList<>();
        XMLStreamReader r = reader(body);
        try {
            List<String> open = new ArrayList<>();
            while (r.hasNext()) {
                int event = r.next();
                if (event == XMLStreamConstants.START_ELEMENT) {
                    open.add(r.getLocalName());
                    if (below(open, path)) {
                        found.add(r.getElementText().trim()); // consumes the END_ELEMENT
                        open.remove(open.size() - 1);
                    }
                } else if (event == XMLStreamConstants.END_ELEMENT) {
                    open.remove(open.size() - 1);
                }
            }
        } finally {
            r.close();
        }
        return found;
    }

    /** The first {@code Code} and {@code Message} under an {@code Error} element, or null when there is none. */
    static Error error(String body) {
        try {
            XMLStreamReader r = reader(body);
            try {
                String code = null;
                String message = null;
                boolean inError = false;
                while (r.hasNext()) {
                    int event = r.next();
                    if (event == XMLStreamConstants.START_ELEMENT) {
                        String name = r.getLocalName();
                        if (name.equals("Error")) {
                            inError = true;
                        } else if (inError && name.equals("Code") && code == null) {
                            code = r.getElementText().trim();
                        } else if (inError && name.equals("Message") && message == null) {
                            message = r.getElementText().trim();
                        }
                    } else if (event == XMLStreamConstants.END_ELEMENT && r.getLocalName().equals("Error") && code != null) {
                        break;
                    }
                }
                return code == null ? null : new Error(code, message);
            } finally {
                r.close();
            }
        } catch (XMLStreamException notXml) {
            return null; // a proxy's page: the HTTP status decides
        }
    }

    /** True when the open elements are the root followed by exactly {@code path}. */
    private static boolean below(List<String> open, String[] path) {
        if (open.size() != path.length + 1) {
            return false;
        }
        for (int i = 0; i < path.length; i++) {
            if (!open.get(i + 1).equals(path[i])) {
                return false;
            }
        }
        return true;
    }

    private static XMLStreamReader reader(String body) throws XMLStreamException {
        // A factory a call: one answer an account, and the JDK does not promise a shared factory is thread-safe.
        XMLInputFactory factory = XMLInputFactory.newFactory();
        factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        return factory.createXMLStreamReader(new StringReader(body));
    }
}
